"""The role ``factbase sql`` runs queries as on PostgreSQL: ``factbase_reader``.

A connection's user on a team server is often the database's owner, sometimes a superuser:
through ``sql`` it could write server files (``COPY … TO``), read them (``pg_read_file``),
lock the log, reload the server's configuration. A read-only transaction stops none of that.
So ``sql`` never runs a query as the connecting user. Revision ``0006_sql_reader`` (and
``factbase init``, again, when the connecting user may create roles) sets up:

* the role ``factbase_reader``: ``NOLOGIN``, no attributes, granted to the connecting user so it
  may ``SET ROLE`` to it. It may ``SELECT`` the tables and views ``docs/sql.md`` documents
  (:func:`documented_relations`) and nothing else: not ``alembic_version``, no file or admin
  function (PostgreSQL grants those to superusers and the ``pg_read_server_files``-style roles
  only), no ``LOCK`` beyond ``ACCESS SHARE`` (stronger modes need UPDATE, DELETE or TRUNCATE);
* the schema ``factbase_sql``, owned by the role, holding one function,
  ``factbase_sql.run_query(query text, as_of date, known_at timestamptz)``, owned by the role
  and ``SECURITY DEFINER``, so the query runs as the role (one function serves every factbase
  database kept as a schema of the same PostgreSQL database: the query's names resolve through
  the calling session's ``search_path``). Inside a security-definer function PostgreSQL refuses
  ``SET ROLE`` and ``SET SESSION AUTHORIZATION`` (also through ``set_config``), so a query
  cannot climb back to the connecting user, not even by running SQL of its own through
  ``query_to_xml``; and PL/pgSQL's ``RETURN QUERY EXECUTE`` runs only a statement that returns
  rows (``COPY``, ``LOCK``, ``NOTIFY``, ``SET``, ``DO`` are refused: "cannot open … query as
  cursor"). After the rows, the function refuses the query if it took an advisory lock (anyone
  may call ``pg_advisory_lock``; :mod:`factbase.store.sqlquery` also closes the connection, which
  frees a session-level one).

``factbase sql`` refuses to run (:func:`missing`) when the role or the function is not there,
or the connecting user may not ``SET ROLE`` to it, with the statements an administrator runs
to set it up. Roles belong to the server, not to one database: several factbase databases on
one server share the role, each with its own grants and schema.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

ROLE = "factbase_reader"
SCHEMA = "factbase_sql"
FUNCTION = f"{SCHEMA}.run_query"

#: The function. ``RETURN QUERY EXECUTE`` needs the caller to name the result columns (the
#: function returns ``SETOF record``); :mod:`factbase.store.sqlquery` learns them by describing the
#: statement first. No ``SET search_path``: the query's names resolve as the calling session
#: resolves them, so each factbase database (a PostgreSQL database, or a schema of one, chosen
#: by ``search_path``) reads its own tables; the function itself names only ``pg_catalog``.
#: Its arguments: the query, ``$1`` (``:as_of``) and ``$2`` (``:known_at``, revision
#: 0007_bitemporal; revision 0006's two-argument function is left for databases of the same
#: server not yet upgraded).
SIGNATURE = "text, date, timestamp with time zone"
_FUNCTION_SQL = f"""CREATE OR REPLACE FUNCTION {FUNCTION}(query text, as_of date,
    known_at timestamp with time zone)
    RETURNS SETOF record LANGUAGE plpgsql SECURITY DEFINER AS $fb$
BEGIN
  RETURN QUERY EXECUTE query USING as_of, known_at;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_locks
             WHERE pid = pg_catalog.pg_backend_pid() AND locktype = 'advisory') THEN
    RAISE EXCEPTION 'advisory locks are not allowed'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$fb$"""


def documented_relations() -> list[str]:
    """The tables and views ``docs/sql.md`` documents: the only ones the role may read."""
    from factbase.store.schema import PROJECTION_TABLES, VIEWS, events

    return [events.name, *(t.name for t in PROJECTION_TABLES), *VIEWS]


def setup_sql() -> list[str]:
    """The statements that set the role up for the database in ``current_schema()``: each
    guards itself (the role is created only when missing, granted only when not held), so the
    same script runs online and in Alembic's offline ``--sql`` output. The connecting user
    needs CREATEROLE (or an existing role granted to it) and CREATE on the database."""
    relations = " || ', ' || ".join(f"s || '.{name}'" for name in documented_relations())
    # No % anywhere: Alembic's offline script doubles it for psycopg, and psql would not undo.
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '{ROLE}') THEN
    CREATE ROLE {ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
  IF NOT pg_catalog.pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN
    GRANT {ROLE} TO CURRENT_USER;
  END IF;
END $$""",
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA} AUTHORIZATION {ROLE}",
        f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC",
        f"""DO $$ DECLARE s text := quote_ident(current_schema()); BEGIN
  EXECUTE 'GRANT USAGE ON SCHEMA ' || s || ' TO {ROLE}';
  EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA ' || s || ' FROM {ROLE}';
  EXECUTE 'GRANT SELECT ON ' || {relations} || ' TO {ROLE}';
END $$""",
        _FUNCTION_SQL,
        f"ALTER FUNCTION {FUNCTION}({SIGNATURE}) OWNER TO {ROLE}",
        f"REVOKE ALL ON FUNCTION {FUNCTION}({SIGNATURE}) FROM PUBLIC",
    ]


def _one(conn: Connection, sql: str, *params: object) -> object:
    row = conn.exec_driver_sql(sql, tuple(params)).first()
    return None if row is None else row[0]


def setup(conn: Connection) -> bool:
    """Set up the role, its grants, its schema and function for this database (inside the
    caller's transaction, in a savepoint). Returns False, changing nothing, when the
    connecting user may neither create the role nor use an existing one (or may not create
    the schema)."""
    if conn.dialect.name != "postgresql":
        return False
    privileges = conn.exec_driver_sql(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").first()
    superuser, createrole = (bool(v) for v in privileges) if privileges else (False, False)
    exists = _one(conn, "SELECT 1 FROM pg_roles WHERE rolname = %s", ROLE) is not None
    member = superuser or (exists and bool(
        _one(conn, "SELECT pg_has_role(current_user, %s, 'MEMBER')", ROLE)))
    if not member and not createrole:
        return False
    try:
        with conn.begin_nested():
            for sql in setup_sql():
                conn.exec_driver_sql(sql)
    except Exception:  # noqa: BLE001 - e.g. no ADMIN on an existing role, no CREATE on the db
        return False
    return True


def missing(conn: Connection) -> str | None:
    """Why ``sql`` cannot run as the role on ``conn``'s database (a message saying how to set
    it up), or None when it can."""
    user = str(_one(conn, "SELECT current_user"))
    if _one(conn, "SELECT 1 FROM pg_roles WHERE rolname = %s", ROLE) is None:
        why = f"the role {ROLE} does not exist"
    elif not _one(conn, "SELECT pg_has_role(current_user, %s, 'MEMBER')", ROLE):
        why = f"{user} may not SET ROLE {ROLE}"
    elif _one(conn, "SELECT to_regprocedure(%s)", f"{FUNCTION}({SIGNATURE})") is None:
        why = f"the function {FUNCTION} is missing from this database"
    elif not _one(conn, "SELECT has_table_privilege(%s, "
                        "quote_ident(current_schema()) || '.events', 'SELECT')", ROLE):
        why = f"the role {ROLE} may not read this database's tables"
    else:
        return None
    return (f"sql on PostgreSQL runs queries as the role {ROLE}, so that they can read the "
            f"documented tables and nothing else, but {why}; ask an administrator to run "
            f"`CREATE ROLE {ROLE} NOLOGIN; GRANT {ROLE} TO {user};` (or give {user} "
            "CREATEROLE), then run `factbase init`")


def problems(conn: Connection) -> tuple[list[str], str]:
    """For ``verify`` on PostgreSQL: the role may read the documented tables and views only,
    has no attribute and no membership beyond its own, and its function is the one factbase
    made. Returns ``(problems, what was checked)``; a database where ``sql`` is not set up is
    no problem (``sql`` refuses to run there)."""
    if conn.dialect.name != "postgresql":
        return [], ""
    if missing(conn) is not None:
        return [], "sql reader role not set up (sql refuses to run)"
    out = []
    attributes = conn.exec_driver_sql(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, "
        "rolbypassrls FROM pg_roles WHERE rolname = %s", (ROLE,)).first()
    if attributes is not None and any(attributes):
        out.append(f"the sql reader role {ROLE} has attributes it must not have (superuser, "
                   "login, …): ALTER ROLE factbase_reader NOSUPERUSER NOLOGIN …")
    member_of = [r[0] for r in conn.exec_driver_sql(
        "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
        "JOIN pg_roles b ON b.oid = m.roleid WHERE r.rolname = %s", (ROLE,))]
    if member_of:
        out.append(f"the sql reader role {ROLE} is a member of {', '.join(sorted(member_of))}: "
                   f"REVOKE {', '.join(sorted(member_of))} FROM {ROLE}")
    allowed = set(documented_relations())
    extra = sorted({f"{r[1]} on {r[0]}" for r in conn.exec_driver_sql(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = %s AND table_schema = current_schema()", (ROLE,))
        if r[1] != "SELECT" or r[0] not in allowed})
    if extra:
        out.append(f"the sql reader role {ROLE} may do more than read the documented tables "
                   f"({', '.join(extra)}); run `factbase init` to reset its grants")
    definer = conn.exec_driver_sql(
        "SELECT p.prosecdef, pg_get_userbyid(p.proowner), p.proconfig IS NULL FROM pg_proc p "
        "WHERE p.oid = to_regprocedure(%s)", (f"{FUNCTION}({SIGNATURE})",)).first()
    if definer is None or not definer[0] or definer[1] != ROLE or not definer[2]:
        out.append(f"the function {FUNCTION} no longer runs as {ROLE}; run `factbase init`")
    return out, f"sql reader role limited to SELECT on {len(allowed)} tables and views"


__all__ = ["FUNCTION", "ROLE", "SCHEMA", "SIGNATURE", "documented_relations", "missing",
           "problems", "setup", "setup_sql"]
