"""A real PostgreSQL server for tests and benchmarks: Debian's postgresql binaries, initdb in a
temporary directory, a free port on 127.0.0.1 with password (SCRAM) authentication, stopped and
removed at the end. As root (CI containers), the server runs as the `postgres` system user,
since PostgreSQL refuses to run as root."""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "hyperpipe_test"
PASSWORD = "pg-password-that-must-never-be-printed"
DATABASE = "hyperpipe"


def _bindir():
    for candidate in [os.environ.get("PG_BINDIR", "")] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if candidate and Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError("PostgreSQL's initdb was not found: scripts/bootstrap installs Debian's postgresql package")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, listen_all=False):
        """listen_all: also on the machine's other addresses (to test what hyperpipe does with a
        server that is not on 127.0.0.1), password authentication from anywhere."""
        self.listen = "*" if listen_all else "127.0.0.1"
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="hyperpipe-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.socket_dir.mkdir()
        self.port = _free_port()
        self.as_user = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            for path in (self.root, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.as_user:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        if listen_all:
            hba = self.data / "pg_hba.conf"
            self._run("sh", "-c", f"echo 'host all all 0.0.0.0/0 scram-sha-256' >> {hba}")
        self.start()
        self.psql(f"CREATE DATABASE {DATABASE}", database="postgres")

    def _run(self, *args, **kwargs):
        return subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True, **kwargs)

    def start(self):
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start", "-o",
                  f"-p {self.port} -k {self.socket_dir} -c listen_addresses={self.listen} -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off")

    def stop(self, mode="fast"):
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
                       capture_output=True)

    def kill(self):
        """Ends the server at once (SIGKILL to the postmaster and its backends), as a crash would."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        subprocess.run(["pkill", "-KILL", "-P", str(pid)], capture_output=True)
        os.kill(pid, 9)
        time.sleep(0.5)

    def close(self):
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql, database=DATABASE):
        """Runs SQL over the Unix socket (trusted) and returns psql's unaligned output."""
        return self._run(str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-h",
                         str(self.socket_dir), "-p", str(self.port), "-U", USER, "-d", database, input=sql).stdout

    def url(self, password=False):
        secret = f":{PASSWORD}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{DATABASE}"

    def environment(self):
        """The password as libpq reads it: from the environment, never from the pipeline file."""
        return {"PGPASSWORD": PASSWORD}
