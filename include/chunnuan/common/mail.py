"""Email with yagmail, at most once per message key, never with identity numbers or phone numbers.

`send_once` records each sent message in the campaign database (`sent_email`, unique key), so a
re-run task or DAG run sends nothing twice. `assert_no_pii` refuses a message that contains
something shaped like an ID number or a mobile number (a bug upstream, never sent "just once").
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from chunnuan.common.masking import PII_IN_TEXT
from chunnuan.db.models import SentEmail


class PiiInMessage(ValueError):
    """A message body or subject holds an ID or mobile number: refused."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False


def assert_no_pii(*texts: str) -> None:
    for text in texts:
        # the masking's pattern: 18- and old 15-digit IDs and mobiles, full-width digits folded first
        if PII_IN_TEXT.search(unicodedata.normalize("NFKC", text or "")):
            raise PiiInMessage("邮件内容含有身份证号或手机号样式的数字，已拒绝发送（请检查邮件模板）")


def render(template: str, **values) -> str:
    """An HTML body from include/templates (Jinja2, autoescaped)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from chunnuan.config.settings import REPO_ROOT

    env = Environment(loader=FileSystemLoader(REPO_ROOT / "include" / "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template(template).render(**values)


def _send(smtp: SmtpSettings, to: list[str], subject: str, html: str, cc: list[str] | None = None,
          attachments: list[Path] | None = None, images: list[Path] | None = None) -> None:
    import yagmail

    client = yagmail.SMTP(
        user={smtp.sender: smtp.sender} if not smtp.user else {smtp.user: smtp.sender},
        password=smtp.password, host=smtp.host, port=smtp.port, smtp_starttls=smtp.starttls,
        smtp_ssl=smtp.ssl, smtp_skip_login=not smtp.user, soft_email_validation=False,
    )
    try:
        # yagmail turns newlines into <br>; our bodies are rendered HTML already
        inline = [yagmail.inline(str(p)) for p in images or []]  # shown in the body, after the HTML
        client.send(to=to, cc=cc or None, subject=subject, contents=[html.replace("\n", ""), *inline],
                    attachments=[str(a) for a in attachments or []] or None, prettify_html=False)
    finally:
        client.close()


def already_sent(engine: Engine, key: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(SentEmail.key).where(SentEmail.key == key)).first() is not None


def send_once(engine: Engine, smtp: SmtpSettings, key: str, campaign_id: str, to: list[str], subject: str,
              html: str, cc: list[str] | None = None, attachments: list[Path] | None = None,
              images: list[Path] | None = None) -> bool:
    """Send unless a message with this key was sent before; True if sent now. Attachments are the
    caller's to keep free of personal data (reports: figures only)."""
    assert_no_pii(subject, html)
    if already_sent(engine, key):
        return False
    _send(smtp, to, subject, html, cc, attachments, images)
    with engine.begin() as conn:
        conn.execute(SentEmail.__table__.insert().values(
            key=key, campaign_id=campaign_id, recipients=",".join([*to, *(cc or [])]), subject=subject,
            sent_at=dt.datetime.now(dt.UTC)))
    return True
