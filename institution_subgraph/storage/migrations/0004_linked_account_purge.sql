-- Purging a linked account once its purge date has passed.
--
-- The row itself stays: this member's loans, requests, fees and notices
-- reference it, and its loans' and fees' records are what its accounting
-- and the append-only item history rest on. A purged row keeps only this
-- member's own facts about the account (kind, home institution, user group,
-- expiry, when it was made and refreshed) and says when it was purged; the
-- patron's name, contact details and network patron id are gone. A later
-- link for the same network patron id makes a new row.

ALTER TABLE patron
    ALTER COLUMN network_patron_id DROP NOT NULL,
    ALTER COLUMN name DROP NOT NULL,
    ADD COLUMN purged_at timestamptz,
    ADD CHECK (kind = 'linked' OR purged_at IS NULL),
    ADD CHECK ((purged_at IS NULL) = (network_patron_id IS NOT NULL)),
    ADD CHECK ((purged_at IS NULL) = (name IS NOT NULL)),
    ADD CHECK (
        purged_at IS NULL
        OR (
            emails = '{}' AND phones = '{}' AND addresses = '[]'::jsonb
            AND purge_on IS NULL AND NOT blocked
        )
    );
