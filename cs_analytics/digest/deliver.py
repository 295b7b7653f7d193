"""Delivering a digest: by SMTP (multipart text + HTML) and/or to a Slack-compatible webhook.

Configured in `.streamlit/secrets.toml` (read with tomllib, never st.secrets, so the CLI works
without Streamlit):

    [digest]
    app_url = "https://cs.example.com"     # the links' base (default http://localhost:8501)
    smtp_host = "smtp.example.com"
    smtp_port = 587                        # 465: implicit TLS; otherwise STARTTLS when offered
    from = "cs-analytics@example.com"
    to = ["lead@example.com"]              # a list or one address
    username = "..."                       # optional SMTP login
    password = "..."
    webhook_url = "https://hooks.slack.com/services/..."

The file is `$CS_ANALYTICS_SECRETS`, else `.streamlit/secrets.toml` in the working directory,
else in the project folder. The webhook gets `{"text": <the Markdown digest>}` (Slack's format).
"""
from __future__ import annotations

import json
import os
import smtplib
import tomllib
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from cs_analytics.core.config import PROJECT_ROOT
from cs_analytics.digest.build import DEFAULT_APP_URL, Digest
from cs_analytics.digest.render import to_html, to_markdown

SECRETS_ENV_VAR = "CS_ANALYTICS_SECRETS"
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class DigestConfig:
    """The [digest] section of secrets.toml."""

    app_url: str = DEFAULT_APP_URL
    smtp_host: str | None = None
    smtp_port: int = 25
    sender: str | None = None
    to: tuple[str, ...] = ()
    username: str | None = None
    password: str | None = None
    webhook_url: str | None = None

    @property
    def has_smtp(self) -> bool:
        return bool(self.smtp_host and self.sender and self.to)


def secrets_path(path: str | Path | None = None) -> Path | None:
    """The secrets file in use (see the module docstring), or None when there is none."""
    candidates = [path, os.environ.get(SECRETS_ENV_VAR), Path.cwd() / ".streamlit" / "secrets.toml",
                  PROJECT_ROOT / ".streamlit" / "secrets.toml"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    if path:
        raise FileNotFoundError(f"The secrets file {path} does not exist.")
    return None


def load_config(path: str | Path | None = None) -> DigestConfig:
    """The digest configuration from secrets.toml (defaults when there is no file or section)."""
    found = secrets_path(path)
    if found is None:
        return DigestConfig()
    try:
        section = tomllib.loads(found.read_text(encoding="utf-8")).get("digest", {})
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"The secrets file {found} is not valid TOML: {exc}") from None
    to = section.get("to", ())
    return DigestConfig(
        app_url=str(section.get("app_url") or DEFAULT_APP_URL), smtp_host=section.get("smtp_host"),
        smtp_port=int(section.get("smtp_port", 25)), sender=section.get("from"),
        to=(to,) if isinstance(to, str) else tuple(to), username=section.get("username"),
        password=section.get("password"), webhook_url=section.get("webhook_url"))


def email_message(digest: Digest, config: DigestConfig) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = digest.title.replace("\n", " ").replace("\r", " ")
    message["From"] = config.sender
    message["To"] = ", ".join(config.to)
    message.set_content(to_markdown(digest))
    message.add_alternative(to_html(digest), subtype="html")
    return message


def send_email(digest: Digest, config: DigestConfig) -> None:
    """Send the digest by SMTP to every address in `to`."""
    smtp_class = smtplib.SMTP_SSL if config.smtp_port == 465 else smtplib.SMTP
    with smtp_class(config.smtp_host, config.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if smtp_class is smtplib.SMTP:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(email_message(digest, config))


def post_webhook(digest: Digest, url: str) -> int:
    """POST `{"text": markdown}` to a Slack-compatible webhook; returns the HTTP status."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"A webhook_url starts with https:// (or http://), got {url!r}.")
    body = json.dumps({"text": to_markdown(digest)}).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
        return int(response.status)


def deliver(digest: Digest, config: DigestConfig) -> list[str]:
    """Send the digest by every configured channel; returns one sentence per delivery made.
    Raises ValueError when nothing is configured."""
    if not config.has_smtp and not config.webhook_url:
        raise ValueError("Nothing to send with: add smtp_host, from and to, or webhook_url, to the "
                         "[digest] section of .streamlit/secrets.toml.")
    done = []
    if config.has_smtp:
        try:
            send_email(digest, config)
        except (OSError, smtplib.SMTPException) as exc:
            raise ValueError(f"The digest could not be sent by e-mail via {config.smtp_host}: {exc}") from None
        done.append(f"e-mailed to {', '.join(config.to)} via {config.smtp_host}:{config.smtp_port}")
    if config.webhook_url:
        try:
            status = post_webhook(digest, config.webhook_url)
        except OSError as exc:
            raise ValueError(f"The digest could not be posted to the webhook: {exc}") from None
        done.append(f"posted to the webhook (HTTP {status})")
    return done
