"""PostgreSQL roles for a centre: call-takers, supervisors, evaluators, each granted what they need.

Three group roles (NOLOGIN); people and consoles log in with their own roles made members of one:

- **call-takers** ship their console's events and share unit availability. Row-level security lets
  a console's role read and write only the events of the consoles mapped to it in
  ``<schema>.console_roles``: a call-taker cannot read another console's callers' names.
- **supervisors** read every call (the board), change availability, record consultations.
- **evaluators** read the de-identified view ``<schema>.deidentified_calls`` only: no event text,
  no caller, console or call-taker identities, times to the hour.

The script is idempotent; ``crisis-triage centre-roles --store URL`` applies it (as the schema's
owner) after the record and availability tables exist. ``docs/operations.md`` explains it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleNames:
    call_takers: str = "crisis_call_takers"
    supervisors: str = "crisis_supervisors"
    evaluators: str = "crisis_evaluators"


AVAILABILITY_TABLES = ("centre_state", "units", "assignments", "out_of_service")


def roles_script(schema: str, names: RoleNames = RoleNames()) -> list[str]:
    """The statements that create the group roles, the grants, the row policies and the evaluators' view."""
    s = schema
    ct, sv, ev = names.call_takers, names.supervisors, names.evaluators
    own_consoles = f"console_id IN (SELECT console_id FROM {s}.console_roles WHERE role_name = session_user)"
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"CREATE ROLE {role} NOLOGIN; END IF; END $$"
        for role in (ct, sv, ev)
    ]
    statements += [
        f"CREATE TABLE IF NOT EXISTS {s}.console_roles (role_name text NOT NULL, console_id text NOT NULL, "
        "PRIMARY KEY (role_name, console_id))",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {ct}, {sv}, {ev}",
        # Call-takers: their own console's events (ship and read back), availability, consultations to journal.
        f"GRANT SELECT, INSERT ON {s}.events TO {ct}",
        f"GRANT INSERT ON {s}.rejected_events TO {ct}",
        f"GRANT SELECT ON {s}.schema_version TO {ct}, {sv}, {ev}",
        f"GRANT SELECT ON {s}.console_roles, {s}.consultations TO {ct}, {sv}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(f'{s}.{t}' for t in AVAILABILITY_TABLES)} TO {ct}, {sv}",
        f"GRANT EXECUTE ON FUNCTION {s}.claim_unit(text, text[], timestamptz[], timestamptz, text) TO {ct}, {sv}",
        # Supervisors: every call, and consultations.
        f"GRANT SELECT ON {s}.events, {s}.calls TO {sv}",
        f"GRANT INSERT ON {s}.consultations TO {sv}",
        f"ALTER TABLE {s}.events ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS call_takers_read_own ON {s}.events",
        f"CREATE POLICY call_takers_read_own ON {s}.events FOR SELECT TO {ct} USING ({own_consoles})",
        f"DROP POLICY IF EXISTS call_takers_write_own ON {s}.events",
        f"CREATE POLICY call_takers_write_own ON {s}.events FOR INSERT TO {ct} WITH CHECK ({own_consoles})",
        f"DROP POLICY IF EXISTS supervisors_read_all ON {s}.events",
        f"CREATE POLICY supervisors_read_all ON {s}.events FOR SELECT TO {sv} USING (true)",
        # Evaluators: one row per call, nothing that names a person; the view runs as its owner.
        f"""CREATE OR REPLACE VIEW {s}.deidentified_calls AS
            SELECT md5(call_id || '{s}') AS call_key,
                   date_trunc('hour', min(at)) AS started_hour,
                   min(protocol_id) AS protocol_id,
                   min(protocol_version) AS protocol_version,
                   max(event->>'door') FILTER (WHERE kind = 'call_started') AS door,
                   max(event->>'line') FILTER (WHERE kind = 'call_started') AS line,
                   max(event->>'district') FILTER (WHERE kind = 'call_started') AS district,
                   max(event->>'language') FILTER (WHERE kind = 'call_started') AS language,
                   max(event->>'model') FILTER (WHERE kind = 'accepted') AS sent_model,
                   max(event->>'recommended') FILTER (WHERE kind = 'accepted') AS recommended_model,
                   count(*) FILTER (WHERE kind = 'interrupt') AS interrupts,
                   max(event->>'outcome') FILTER (WHERE kind = 'call_ended') AS outcome
            FROM {s}.events WHERE NOT practice GROUP BY call_id""",
        f"GRANT SELECT ON {s}.deidentified_calls TO {ev}, {sv}",
    ]
    return statements


def apply_roles(url: str, names: RoleNames = RoleNames()) -> None:
    """Create the tables if needed, then the roles and grants, in one transaction (run as the owner)."""
    from .availability_pg import PostgresAvailability

    availability = PostgresAvailability(url)
    try:
        conn = availability.connection()
        with conn.transaction():
            for statement in roles_script(availability.schema, names):
                conn.execute(statement)
    finally:
        availability.close()


def map_console(url: str, role: str, console_id: str) -> None:
    """Let login role ``role`` ship and read the events of ``console_id``."""
    from .availability_pg import PostgresAvailability

    availability = PostgresAvailability(url)
    try:
        conn = availability.connection()
        with conn.transaction():
            conn.execute(
                f"INSERT INTO {availability.schema}.console_roles (role_name, console_id) VALUES (%s, %s) "
                "ON CONFLICT DO NOTHING",
                (role, console_id),
            )
    finally:
        availability.close()
