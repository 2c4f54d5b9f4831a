-- Catalogue and inventory: the institution, its locations, bibliographic
-- records, holdings and items.

CREATE TABLE institution (
    -- One row: the institution this database belongs to.
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    code text NOT NULL,
    name text NOT NULL
);

CREATE TABLE location (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    library text NOT NULL
);

-- Search text weighted for ranking: title first, then contributors, then
-- subjects, then publisher. Declared immutable so that a generated column
-- can use it; it depends only on its arguments.
CREATE FUNCTION bib_search_vector(
    title text, contributors text[], subjects text[], publisher text
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, array_to_string(contributors, ' ')), 'B')
    || setweight(to_tsvector('english'::regconfig, array_to_string(subjects, ' ')), 'C')
    || setweight(to_tsvector('english'::regconfig, coalesce(publisher, '')), 'D');

CREATE TABLE bib_record (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Where the record came from, e.g. 'lccn:2016012345'; re-importing the
    -- same source finds the record by this key instead of adding it again.
    source_key text NOT NULL UNIQUE,
    lccn text,
    title text NOT NULL,
    contributors text[] NOT NULL DEFAULT '{}',
    isbns text[] NOT NULL DEFAULT '{}',
    publication_year integer,
    publisher text,
    language text,
    subjects text[] NOT NULL DEFAULT '{}',
    call_number text,
    format text NOT NULL,
    search_vector tsvector NOT NULL
        GENERATED ALWAYS AS (bib_search_vector(title, contributors, subjects, publisher)) STORED,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX bib_record_search_idx ON bib_record USING gin (search_vector);
CREATE INDEX bib_record_isbns_idx ON bib_record USING gin (isbns);
CREATE INDEX bib_record_lccn_idx ON bib_record (lccn);

CREATE TABLE holding (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bib_record_id bigint NOT NULL REFERENCES bib_record ON DELETE CASCADE,
    location_id bigint NOT NULL REFERENCES location,
    call_number text,
    UNIQUE (bib_record_id, location_id)
);

CREATE TABLE item (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    holding_id bigint NOT NULL REFERENCES holding ON DELETE CASCADE,
    barcode text NOT NULL UNIQUE,
    copy_number integer NOT NULL,
    status text NOT NULL DEFAULT 'available' CHECK (status IN (
        'available', 'paged', 'in_transit', 'awaiting_pickup', 'checked_out',
        'claimed_returned', 'declared_lost', 'lost_and_paid', 'missing',
        'in_process', 'withdrawn'
    )),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (holding_id, copy_number)
);

CREATE INDEX item_holding_idx ON item (holding_id);
