-- The hub's schema, version 1: the district's events (append-only) and the numbers it hands
-- out; nothing else. Written by `zhuqi hub init`, in one transaction.

CREATE TABLE zhuqi_hub (version integer NOT NULL);
INSERT INTO zhuqi_hub (version) VALUES (1);

-- Each desk is a login role of its own; `role` says what it may do.
CREATE TABLE zhuqi_desks (
    name text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('officer', 'steward', 'supervisor', 'viewer')),
    login name NOT NULL UNIQUE,
    added_at timestamptz NOT NULL DEFAULT now()
);

-- Places may skip (a sequence jumps after a crash); the numbers people read do not: they come
-- from counters changed in the same transaction as the event (inserts take turns, see below).
CREATE SEQUENCE zhuqi_event_seq;
CREATE TABLE zhuqi_counters (name text PRIMARY KEY, value bigint NOT NULL);
INSERT INTO zhuqi_counters (name, value) VALUES ('appeal', 0), ('meeting', 0);

-- One row an event, never updated or deleted. `seq` is the hub's order, the order of the
-- history on every desk; `number` the appeal's (for a capture) or the meeting's number;
-- `meeting` a capture's meeting by its hub number. Pulls read `seq > n`, which stays a range
-- scan if the table is later partitioned by month of `received_at` or read from replicas.
CREATE TABLE zhuqi_events (
    seq bigint PRIMARY KEY,
    id text NOT NULL UNIQUE,
    appeal text,
    desk text NOT NULL REFERENCES zhuqi_desks (name),
    actor text NOT NULL,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    number bigint,
    meeting bigint,
    local_meeting boolean NOT NULL DEFAULT false,
    -- A meeting's number as its desk gave it (provisionally, or before it joined): what that
    -- desk's captures name it by.
    local_number bigint,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX zhuqi_events_appeal ON zhuqi_events (appeal);
CREATE INDEX zhuqi_events_desk_meeting ON zhuqi_events (desk, local_number)
    WHERE kind = 'meeting_added';

-- The desk the session is, by its login.
CREATE FUNCTION zhuqi_whoami(OUT name text, OUT role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT name, role FROM zhuqi_desks WHERE login = session_user
$$;

-- Every event is checked and placed here: sent by the desk it names (one that names none is
-- the sender's), dated at most a day ahead of the hub's clock, numbered, and given its place
-- under a lock held to the end of the transaction, so that places are taken in commit order
-- and a pull reading `seq > n` never passes over one still to commit.
CREATE FUNCTION zhuqi_take_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    me text;
    my_role text;
    named text;
    change jsonb;
    ref bigint;
BEGIN
    SELECT w.name, w.role INTO me, my_role FROM zhuqi_whoami() w;
    IF me IS NULL THEN
        RAISE EXCEPTION 'zhuqi: % is not a desk of this hub', session_user
            USING ERRCODE = '42501';
    END IF;
    IF my_role = 'viewer' THEN
        RAISE EXCEPTION 'zhuqi: desk % is a viewer: it may read, not write', me
            USING ERRCODE = '42501';
    END IF;
    IF NEW.body->>'id' IS NULL OR NEW.body->>'at' IS NULL OR jsonb_typeof(NEW.body->'body') <> 'object' THEN
        RAISE EXCEPTION 'zhuqi: not an event' USING ERRCODE = '22023';
    END IF;
    named := NEW.body->>'desk';
    IF named IS NULL THEN
        NEW.body := jsonb_set(NEW.body, '{desk}', to_jsonb(me));
    ELSIF named <> me THEN
        RAISE EXCEPTION 'zhuqi: event % names desk % but was sent by desk %',
            NEW.body->>'id', named, me USING ERRCODE = '42501';
    END IF;
    NEW.body := NEW.body - 'hub';
    NEW.id := NEW.body->>'id';
    NEW.desk := me;
    NEW.actor := coalesce(NEW.body->>'actor', '');
    NEW.at := (NEW.body->>'at')::timestamptz;
    IF NEW.at > now() + interval '1 day' THEN
        RAISE EXCEPTION 'zhuqi: event % is dated %, more than a day ahead of the hub''s clock (%)',
            NEW.id, NEW.at, now() USING ERRCODE = '22008';
    END IF;
    IF NEW.body->'body' ? 'appeal' THEN
        NEW.appeal := NEW.body->'body'->'appeal'->>'appeal';
        change := NEW.body->'body'->'appeal'->'change';
        IF jsonb_typeof(change) = 'string' THEN
            NEW.kind := change #>> '{}';
        ELSE
            SELECT k INTO NEW.kind FROM jsonb_object_keys(change) AS k LIMIT 1;
        END IF;
    ELSE
        NEW.appeal := NULL;
        SELECT k INTO NEW.kind FROM jsonb_object_keys(NEW.body->'body') AS k LIMIT 1;
    END IF;
    PERFORM pg_advisory_xact_lock(7326140021);
    NEW.seq := nextval('zhuqi_event_seq');
    NEW.number := NULL;
    NEW.meeting := NULL;
    NEW.local_number := NULL;
    -- Taken under the lock: it grows with seq (what partitioning by month relies on).
    NEW.received_at := clock_timestamp();
    IF NEW.kind = 'captured' THEN
        IF NOT EXISTS (SELECT 1 FROM zhuqi_events e
                       WHERE e.appeal = NEW.appeal AND e.kind = 'captured') THEN
            UPDATE zhuqi_counters SET value = value + 1 WHERE name = 'appeal'
                RETURNING value INTO NEW.number;
        END IF;
        -- A meeting the sending desk numbered itself (provisionally, or before it joined) is
        -- named by the number the hub gave that desk's meeting.
        ref := (change->'captured'->>'meeting')::bigint;
        IF ref IS NOT NULL THEN
            NEW.meeting := ref;
            IF ref > 1099511627776 OR NEW.local_meeting THEN
                SELECT e.number INTO NEW.meeting FROM zhuqi_events e
                 WHERE e.desk = me AND e.kind = 'meeting_added' AND e.local_number = ref
                 ORDER BY e.seq DESC LIMIT 1;
                NEW.meeting := coalesce(NEW.meeting, ref);
            END IF;
        END IF;
    ELSIF NEW.kind = 'meeting_added' THEN
        NEW.local_number := (NEW.body->'body'->'meeting_added'->>'number')::bigint;
        UPDATE zhuqi_counters SET value = value + 1 WHERE name = 'meeting'
            RETURNING value INTO NEW.number;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER zhuqi_events_take BEFORE INSERT ON zhuqi_events
    FOR EACH ROW EXECUTE FUNCTION zhuqi_take_event();

CREATE FUNCTION zhuqi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'zhuqi: the hub''s events are append-only: none is ever changed or removed'
        USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER zhuqi_events_append_only BEFORE UPDATE OR DELETE ON zhuqi_events
    FOR EACH ROW EXECUTE FUNCTION zhuqi_append_only();
CREATE TRIGGER zhuqi_events_no_truncate BEFORE TRUNCATE ON zhuqi_events
    FOR EACH STATEMENT EXECUTE FUNCTION zhuqi_append_only();

-- Row-level security says the same as the trigger, for roles that reach the table otherwise:
-- every desk reads everything, and writes only as itself.
ALTER TABLE zhuqi_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY zhuqi_read ON zhuqi_events FOR SELECT USING (true);
CREATE POLICY zhuqi_write_own ON zhuqi_events FOR INSERT
    WITH CHECK (desk = (SELECT w.name FROM zhuqi_whoami() w));

REVOKE ALL ON zhuqi_events, zhuqi_desks, zhuqi_hub, zhuqi_counters FROM PUBLIC;
