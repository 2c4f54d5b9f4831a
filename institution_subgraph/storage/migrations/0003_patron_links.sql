-- Where this institution's own patrons have linked accounts at other
-- members. The home member is the only one that can list them, and the
-- network patron card starts from that list.

CREATE TABLE patron_link (
    -- A patron of this institution; the API refuses linked accounts here.
    patron_id bigint NOT NULL REFERENCES patron,
    -- The other member, and the patron's local id there: the last part of
    -- their Patron global ID at that member.
    institution text NOT NULL CHECK (institution <> ''),
    remote_patron text NOT NULL CHECK (remote_patron <> ''),
    -- When this remote id was first recorded.
    linked_at timestamptz NOT NULL,
    -- One linked account per member: a newer remote id replaces the old.
    UNIQUE (patron_id, institution)
);
