-- Circulation of this institution's items: desks (own and remote), patrons
-- and linked accounts, policies, loans, requests, transits, fees, the
-- append-only item history and the notice outbox.
--
-- This institution is the system of record for its own items. Other
-- members' desks appear here as remote desks and other members' patrons as
-- linked accounts; every action on this institution's items, wherever it
-- happens, is written here.

CREATE TABLE desk (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The member that runs the desk: this institution's code for its own
    -- desks, another member's code for a remote desk.
    institution text NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    is_pickup boolean NOT NULL DEFAULT true,
    hold_shelf_days integer NOT NULL DEFAULT 7 CHECK (hold_shelf_days > 0),
    -- How long a transit to this desk is expected to take.
    transit_days integer NOT NULL DEFAULT 2 CHECK (transit_days >= 0),
    -- Items of a location with no home desk of its own go back here.
    is_default_home boolean NOT NULL DEFAULT false,
    UNIQUE (institution, code)
);

CREATE UNIQUE INDEX desk_one_default_home_idx ON desk (is_default_home)
    WHERE is_default_home;

-- Where the owner's items go back to after a loan elsewhere.
ALTER TABLE location ADD COLUMN home_desk_id bigint REFERENCES desk;

-- Which policies apply to the item, with the patron's user group.
ALTER TABLE item ADD COLUMN item_policy text NOT NULL DEFAULT 'standard';

CREATE TABLE patron (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 'local' for this institution's own patrons; 'linked' for a copy of
    -- another member's patron, made when they first deal with us.
    kind text NOT NULL CHECK (kind IN ('local', 'linked')),
    home_institution text NOT NULL,
    network_patron_id uuid NOT NULL UNIQUE,
    -- Local only: a linked account never receives the home member's
    -- identifiers or notes.
    barcode text UNIQUE,
    notes text,
    -- Shared: the fields a home member passes on to a linked account.
    name text NOT NULL,
    emails text[] NOT NULL DEFAULT '{}',
    phones text[] NOT NULL DEFAULT '{}',
    addresses jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(addresses) = 'array'),
    expires_on date NOT NULL,
    -- Decided here: for a linked account, by the linked-account rule.
    user_group text NOT NULL,
    -- This institution's own block; never copied from the home member.
    blocked boolean NOT NULL DEFAULT false,
    block_reason text,
    -- Linked accounts only: when to forget them, when last refreshed.
    purge_on date,
    refreshed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'linked' OR barcode IS NOT NULL),
    CHECK (kind = 'local' OR (barcode IS NULL AND notes IS NULL)),
    CHECK (kind = 'linked' OR (purge_on IS NULL AND refreshed_at IS NULL)),
    CHECK (blocked OR block_reason IS NULL)
);

CREATE INDEX patron_purge_on_idx ON patron (purge_on) WHERE purge_on IS NOT NULL;

CREATE TABLE linked_account_rule (
    -- A member's code, or '*' for any member without a rule of its own.
    home_institution text PRIMARY KEY,
    user_group text NOT NULL,
    expiry_days integer NOT NULL CHECK (expiry_days > 0),
    purge_days integer NOT NULL CHECK (purge_days >= 0)
);

CREATE TABLE loan_policy (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    loan_period interval NOT NULL CHECK (loan_period > interval '0'),
    renewal_limit integer NOT NULL CHECK (renewal_limit >= 0),
    grace_period interval NOT NULL DEFAULT interval '0'
        CHECK (grace_period >= interval '0'),
    fine_per_day numeric(12, 2) NOT NULL CHECK (fine_per_day >= 0),
    max_fine numeric(12, 2) NOT NULL CHECK (max_fine >= 0),
    days_overdue_until_lost integer NOT NULL CHECK (days_overdue_until_lost > 0),
    replacement_fee numeric(12, 2) NOT NULL CHECK (replacement_fee >= 0),
    processing_fee numeric(12, 2) NOT NULL CHECK (processing_fee >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$')
);

CREATE TABLE request_policy (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    requestable boolean NOT NULL,
    -- When false, only the desks in request_policy_pickup_desk.
    any_pickup_desk boolean NOT NULL DEFAULT true
);

CREATE TABLE request_policy_pickup_desk (
    request_policy_id bigint NOT NULL REFERENCES request_policy ON DELETE CASCADE,
    desk_id bigint NOT NULL REFERENCES desk,
    PRIMARY KEY (request_policy_id, desk_id)
);

CREATE TABLE policy_rule (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL matches any group or any item policy; the most specific rule
    -- wins (see circulation.policies.choose_policies).
    user_group text,
    item_policy text,
    loan_policy_id bigint NOT NULL REFERENCES loan_policy,
    request_policy_id bigint NOT NULL REFERENCES request_policy,
    UNIQUE NULLS NOT DISTINCT (user_group, item_policy)
);

CREATE TABLE loan (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES item,
    patron_id bigint NOT NULL REFERENCES patron,
    -- The policy at the time of lending: later changes do not alter the
    -- terms of a loan already made.
    loan_policy_id bigint NOT NULL REFERENCES loan_policy,
    loaned_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    original_due_at timestamptz NOT NULL,
    renewal_count integer NOT NULL DEFAULT 0 CHECK (renewal_count >= 0),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    process_state text NOT NULL DEFAULT 'normal' CHECK (process_state IN (
        'normal', 'renewed', 'recalled', 'lost', 'claimed_returned'
    )),
    lending_desk_id bigint NOT NULL REFERENCES desk,
    return_desk_id bigint REFERENCES desk,
    returned_at timestamptz,
    -- A loan closes at return, or when a lost item has been paid for.
    closed_at timestamptz,
    due_soon_noticed_at timestamptz,
    overdue_noticed_at timestamptz,
    CHECK (due_at >= loaned_at),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK ((returned_at IS NULL) = (return_desk_id IS NULL))
);

-- The database itself makes lending one item twice impossible.
CREATE UNIQUE INDEX loan_one_active_per_item_idx ON loan (item_id)
    WHERE status = 'active';
CREATE INDEX loan_patron_idx ON loan (patron_id, status);
CREATE INDEX loan_active_due_idx ON loan (due_at) WHERE status = 'active';

CREATE TABLE request (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patron_id bigint NOT NULL REFERENCES patron,
    bib_record_id bigint NOT NULL REFERENCES bib_record,
    level text NOT NULL CHECK (level IN ('title', 'item')),
    -- The copy the patron chose, for an item-level request.
    requested_item_id bigint REFERENCES item,
    -- The copy set aside for the request, once there is one.
    item_id bigint REFERENCES item,
    pickup_desk_id bigint NOT NULL REFERENCES desk,
    status text NOT NULL CHECK (status IN (
        'not_yet_filled', 'pick_from_shelf', 'in_transit', 'on_hold_shelf',
        'filled', 'cancelled', 'unfilled', 'expired', 'pickup_expired'
    )),
    needed_before date,
    hold_shelf_until timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((level = 'item') = (requested_item_id IS NOT NULL)),
    CHECK (status <> 'on_hold_shelf' OR hold_shelf_until IS NOT NULL),
    CHECK (
        status NOT IN ('pick_from_shelf', 'in_transit', 'on_hold_shelf')
        OR item_id IS NOT NULL
    )
);

-- A copy is set aside for at most one request at a time.
CREATE UNIQUE INDEX request_one_per_item_idx ON request (item_id)
    WHERE status IN ('pick_from_shelf', 'in_transit', 'on_hold_shelf');
-- The queue for a title, in the order requests were placed.
CREATE INDEX request_queue_idx ON request (bib_record_id, created_at, id)
    WHERE status = 'not_yet_filled';
CREATE INDEX request_patron_idx ON request (patron_id, status);
CREATE INDEX request_pickup_desk_idx ON request (pickup_desk_id, status);

CREATE TABLE request_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES request,
    at timestamptz NOT NULL,
    status text NOT NULL,
    desk_id bigint REFERENCES desk,
    item_id bigint REFERENCES item
);

CREATE INDEX request_event_request_idx ON request_event (request_id, id);

CREATE TABLE transit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES item,
    from_desk_id bigint NOT NULL REFERENCES desk,
    to_desk_id bigint NOT NULL REFERENCES desk,
    reason text NOT NULL CHECK (reason IN ('to_pickup', 'to_owner', 'to_next_request')),
    request_id bigint REFERENCES request,
    sent_at timestamptz NOT NULL,
    expected_at timestamptz NOT NULL,
    received_at timestamptz,
    CHECK (from_desk_id <> to_desk_id),
    CHECK ((reason = 'to_owner') = (request_id IS NULL))
);

-- An item travels on one transit at a time.
CREATE UNIQUE INDEX transit_one_open_per_item_idx ON transit (item_id)
    WHERE received_at IS NULL;
CREATE INDEX transit_open_to_desk_idx ON transit (to_desk_id)
    WHERE received_at IS NULL;

CREATE TABLE fee (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patron_id bigint NOT NULL REFERENCES patron,
    loan_id bigint REFERENCES loan,
    item_id bigint REFERENCES item,
    kind text NOT NULL CHECK (kind IN ('overdue', 'lost_item', 'processing', 'other')),
    status text NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'in_dispute', 'closed')),
    original_amount numeric(12, 2) NOT NULL CHECK (original_amount > 0),
    balance numeric(12, 2) NOT NULL,
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- The owning library for item fees, the patron's institution otherwise.
    owner_institution text NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK (balance >= 0 AND balance <= original_amount),
    CHECK ((status = 'closed') = (balance = 0)),
    CHECK (kind = 'other' OR item_id IS NOT NULL)
);

CREATE INDEX fee_patron_idx ON fee (patron_id, status);
CREATE INDEX fee_loan_idx ON fee (loan_id);

CREATE TABLE fee_transaction (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fee_id bigint NOT NULL REFERENCES fee,
    kind text NOT NULL CHECK (kind IN ('payment', 'waiver', 'refund')),
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    balance_after numeric(12, 2) NOT NULL CHECK (balance_after >= 0),
    at timestamptz NOT NULL,
    -- NULL when the patron paid online.
    desk_id bigint REFERENCES desk
);

CREATE INDEX fee_transaction_fee_idx ON fee_transaction (fee_id, id);

CREATE TABLE item_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES item,
    at timestamptz NOT NULL,
    action text NOT NULL,
    -- NULL for changes made by the system itself (e.g. declared lost).
    desk_id bigint REFERENCES desk,
    from_status text NOT NULL,
    to_status text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX item_event_item_idx ON item_event (item_id, id);

-- The item history is evidence for fees and disputes: once written, a row
-- stays as it is.
CREATE FUNCTION refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER item_event_append_only
    BEFORE UPDATE OR DELETE ON item_event
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER item_event_no_truncate
    BEFORE TRUNCATE ON item_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER request_event_append_only
    BEFORE UPDATE OR DELETE ON request_event
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER request_event_no_truncate
    BEFORE TRUNCATE ON request_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

CREATE TABLE notice (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patron_id bigint NOT NULL REFERENCES patron,
    kind text NOT NULL CHECK (kind IN (
        'hold_ready', 'hold_expired', 'due_soon', 'overdue', 'declared_lost',
        'fee_charged', 'request_cancelled', 'request_unfilled', 'request_expired'
    )),
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    -- Set by the sender once delivered; NULL rows are the outbox.
    sent_at timestamptz
);

CREATE INDEX notice_outbox_idx ON notice (id) WHERE sent_at IS NULL;
CREATE INDEX notice_patron_idx ON notice (patron_id, id);

CREATE TABLE idempotency_key (
    operation text NOT NULL,
    key text NOT NULL,
    -- Hash of the call's arguments: the same key with other arguments is
    -- refused rather than answered with the wrong result.
    arguments_hash text NOT NULL,
    -- NULL only inside the transaction that claimed the key; other
    -- sessions never see it so.
    result jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operation, key)
);
