"""A throw-away Dovecot (IMAP + POP3) on loopback ports, for the mailbox polling tests.

It runs from a temporary directory with its own config, password file, TLS certificate and
maildirs. XOAUTH2 tokens are checked by Dovecot against an introspection endpoint that the
test serves itself (the same stand-in that hands out tokens).
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = (
    "Dovecot is not installed, and the IMAP/POP3 tests need a real server. Install it with "
    "`scripts/ensure-dovecot` (as root) or `sudo apt-get install dovecot-imapd dovecot-pop3d`."
)
USER, PASSWORD = "helpdesk", "mailbox-password"


def dovecot_binary() -> str:
    for path in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if path and os.access(path, os.X_OK):
            return path
    pytest.fail(INSTALL_HINT, pytrace=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    imaps_port: int
    pop3_port: int
    cert: Path
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"dovecot did not start: {log.read_text() if log.exists() else ''}")


def start(introspection_url: str) -> Dovecot:
    binary = dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="relaydesk-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    me = pwd.getpwuid(os.getuid())
    as_root = os.getuid() == 0
    if as_root:
        mail_user = pwd.getpwnam("dovecot") if _has_user("dovecot") else me
        for sub in ("mail", "home"):
            os.chown(root / sub, mail_user.pw_uid, mail_user.pw_gid)
    else:
        mail_user = me
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    (root / "oauth2.conf.ext").write_text(
        f"introspection_url = {introspection_url}\n"
        "introspection_mode = post\n"
        "username_attribute = username\n"
        "active_attribute = active\n"
        "active_value = true\n"
        "tokeninfo_url = \n"
    )
    ports = {"imap": _free_port(), "imaps": _free_port(), "pop3": _free_port()}
    internal = "dovecot" if as_root and _has_user("dovecot") else me.pw_name
    login = "dovenull" if as_root and _has_user("dovenull") else me.pw_name
    chroot = "" if not as_root else "login"
    config = f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login xoauth2
mail_location = maildir:{root}/mail/%u
first_valid_uid = 0
default_internal_user = {internal}
default_login_user = {login}
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/home/%u
}}
service imap-login {{
  chroot = {chroot}
  inet_listener imap {{
    port = {ports["imap"]}
  }}
  inet_listener imaps {{
    port = {ports["imaps"]}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot = {chroot}
  inet_listener pop3 {{
    port = {ports["pop3"]}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    conf = root / "dovecot.conf"
    conf.write_text(config)
    log = root / "dovecot.log"
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)  # fmt: skip
    try:
        for port in ports.values():
            _wait_for(port, process, log)
    except Exception:
        process.kill()
        raise
    return Dovecot(root, ports["imap"], ports["imaps"], ports["pop3"], cert, process)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
