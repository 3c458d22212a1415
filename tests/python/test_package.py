"""Issue #18: the Debian package, made by CPack from the tested build, installed on this machine
with dpkg (or unpacked into a scratch root when not run as root), used for the whole job, and
removed with nothing left behind."""
import gzip
import os
import shutil
import subprocess
from pathlib import Path

from conftest import BUILD, ROOT


def test_the_debian_package_installs_runs_the_quickstart_and_removes_cleanly(tmp_path):
    subprocess.run(["cpack", "-G", "DEB", "-B", str(tmp_path / "pkg")], cwd=BUILD, check=True, capture_output=True,
                   timeout=900)
    debs = list((tmp_path / "pkg").glob("hyperpipe_*_amd64.deb"))
    assert len(debs) == 1, list((tmp_path / "pkg").iterdir())
    deb = debs[0]
    info = subprocess.run(["dpkg-deb", "--info", deb], capture_output=True, text=True, check=True).stdout
    depends = next(line for line in info.splitlines() if line.strip().startswith("Depends:"))
    for library in ("libpq5", "libcurl4", "libxml2", "libsqlite3", "libyaml-cpp"):
        assert library in depends, depends
    listing = subprocess.run(["dpkg-deb", "--contents", deb], capture_output=True, text=True, check=True).stdout
    files = [line.split()[-1].lstrip(".") for line in listing.splitlines() if not line.endswith("/")]
    for expected in ("/usr/bin/hyperpipe", "/usr/share/hyperpipe/pipeline.schema.json",
                     "/usr/share/man/man1/hyperpipe.1.gz", "/usr/share/bash-completion/completions/hyperpipe",
                     "/usr/share/doc/hyperpipe/README.md", "/usr/share/doc/hyperpipe/pipeline.md"):
        assert expected in files, listing

    installed = os.geteuid() == 0 and shutil.which("dpkg") is not None
    root = Path("/") if installed else tmp_path / "root"
    if installed:
        subprocess.run(["dpkg", "-i", deb], check=True, capture_output=True, timeout=300)
    else:
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    binary = root / "usr" / "bin" / "hyperpipe"
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
        assert version.strip().startswith("hyperpipe ")
        manual = gzip.decompress((root / "usr/share/man/man1/hyperpipe.1.gz").read_bytes()).decode()
        assert ".SH COMMANDS" in manual and ".SS load" in manual and ".SS run" in manual
        # The whole job with the installed binary: the quickstart, publishing to its local stand-in.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPERPIPE_TABLEAU", "TABLEAU_"))}
        env.update({"HYPERPIPE_BIN": str(binary), "QUICKSTART_OUT": str(tmp_path / "out")})
        quickstart = subprocess.run([str(ROOT / "scripts" / "quickstart")], capture_output=True, text=True, env=env,
                                    timeout=300)
        assert quickstart.returncode == 0, quickstart.stdout + quickstart.stderr
        assert "the stand-in holds 3 data sources" in quickstart.stdout
    finally:
        if installed:
            subprocess.run(["dpkg", "-r", "hyperpipe"], check=True, capture_output=True, timeout=300)
    if installed:
        left = [path for path in files if Path(path).exists()]
        assert left == [], left
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "hyperpipe"], capture_output=True, text=True)
        assert "install ok installed" not in status.stdout
