"""Building and sending new-post emails in bulk.

The templates are rendered once per post; only the recipient and the unsubscribe link vary.
On Django's SMTP backend the MIME bytes are assembled directly (Django builds each message
through the email package, which is several times slower than the SMTP conversation itself);
any other MAILERS backend (django-anymail, console, locmem...) gets ordinary
EmailMultiAlternatives, so the feature stays provider-agnostic.
"""

from __future__ import annotations

import binascii
import contextlib
import smtplib
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.template.loader import render_to_string
from django.urls import reverse

from analytics import services as analytics_services
from posts.models import Post

PLACEHOLDER = "https://unsubscribe.invalid/PLACEHOLDER"


def unsubscribe_urls(token: str) -> tuple[str, str]:
    """(the page a person opens, the RFC 8058 one-click POST target)."""
    page = settings.SITE_URL + reverse("subscriptions:unsubscribe", kwargs={"token": token})
    one_click = settings.SITE_URL + reverse("subscriptions:one_click", kwargs={"token": token})
    return page, one_click


class UnsubscribeURLs:
    """`unsubscribe_urls` without resolving the URLconf for every recipient: reversed once, then filled in.

    Signed tokens hold only URL-safe characters (base64url and ":"), which reverse() leaves as they are.
    """

    MARK = "TOKEN0MARK"

    def __init__(self) -> None:
        page, one_click = unsubscribe_urls(self.MARK)
        self.page = page.split(self.MARK)
        self.one_click = one_click.split(self.MARK)

    def __call__(self, token: str) -> tuple[str, str]:
        return token.join(self.page), token.join(self.one_click)


class TemporaryFailure(Exception):
    """Try again later (SMTP 4xx, throttling, a dropped connection)."""


class PermanentFailure(Exception):
    """This recipient will never take it (SMTP 5xx)."""


def classify(exc: BaseException) -> Exception:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        )
        return PermanentFailure(text) if codes and min(codes) >= 500 else TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        text = f"{exc.smtp_code} {msg}"
        return PermanentFailure(text) if exc.smtp_code >= 500 else TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPException | OSError):
        return TemporaryFailure(f"{type(exc).__name__}: {exc}")
    # An HTTP provider (anymail) answering 429 / 5xx: slow down and retry rather than drop.
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status is not None and (status == 429 or status >= 500):
        return TemporaryFailure(f"{type(exc).__name__}: HTTP {status}")
    return PermanentFailure(f"{type(exc).__name__}: {exc}")


def _qp(text: str) -> bytes:
    body = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _qp_url(url: str) -> bytes:
    """A URL as quoted-printable to drop between two encoded pieces: soft breaks keep lines short."""
    data = url.encode("utf-8").replace(b"=", b"=3D")  # signed tokens never hold "=", but stay correct
    chunks = [data[i : i + 60] for i in range(0, len(data), 60)]
    return b"=\r\n" + b"=\r\n".join(chunks) + b"=\r\n"


@dataclass
class PostMail:
    """One post's email, rendered and encoded once; `raw` only fills in who it is for.

    The quoted-printable bodies are kept as the pieces between the unsubscribe placeholders,
    so a copy is a join of prebuilt bytes plus a few header lines.
    """

    subject: str
    from_email: str
    text: str
    html: str
    header_block: bytes  # From/Subject/MIME headers shared by every copy
    domain: str
    boundary: str
    text_pieces: list[bytes]  # the encoded text part, split where the unsubscribe URL goes
    html_pieces: list[bytes]
    urls_for: UnsubscribeURLs

    @classmethod
    def build(cls, post: Post) -> PostMail:
        context = {
            "post": post,
            "author": post.creator,
            "link": analytics_services.email_link(post),
            "unsubscribe_url": PLACEHOLDER,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "full_post": getattr(settings, "NEWPOST_EMAIL_FULL_POST", True),
        }
        subject = f"{post.title} — {post.creator.display_name}"
        from_email = settings.DEFAULT_FROM_EMAIL
        shared = EmailMessage(policy=policy.SMTP)
        shared["From"] = from_email
        shared["Subject"] = subject
        shared["MIME-Version"] = "1.0"
        header_block = shared.as_bytes().rstrip(b"\r\n") + b"\r\n"
        text = render_to_string("subscriptions/email/new_post.txt", context)
        html = render_to_string("subscriptions/email/new_post.html", context)
        return cls(
            subject=subject,
            from_email=from_email,
            text=text,
            html=html,
            header_block=header_block,
            domain=from_email.rsplit("@", 1)[-1].rstrip(">") or "localhost",
            boundary=f"=_{uuid.uuid4().hex}",  # "=_" never occurs in quoted-printable text
            text_pieces=[_qp(piece) for piece in text.split(PLACEHOLDER)],
            html_pieces=[_qp(piece) for piece in html.split(PLACEHOLDER)],
            urls_for=UnsubscribeURLs(),
        )

    def headers_for(self, token: str) -> tuple[str, dict[str, str]]:
        page, one_click = unsubscribe_urls(token)
        return page, {"List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    def message(self, *, to: str, token: str) -> EmailMultiAlternatives:
        """The portable form, for any MAILERS backend."""
        page, headers = self.headers_for(token)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(PLACEHOLDER, page),
            from_email=self.from_email,
            to=[to],
            headers=headers,
        )
        message.attach_alternative(self.html.replace(PLACEHOLDER, page), "text/html")
        return message

    def raw(self, *, to: str, token: str) -> bytes:
        """The same message as SMTP-ready bytes: the prebuilt pieces around this recipient's lines."""
        page, one_click = self.urls_for(token)
        url = _qp_url(page)
        head = (
            f"To: {to}\r\nDate: {formatdate(localtime=False)}\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@{self.domain}>\r\n"
            f"List-Unsubscribe: <{one_click}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            f'Content-Type: multipart/alternative; boundary="{self.boundary}"\r\n\r\n'
        ).encode("ascii")
        part = (
            f'--{self.boundary}\r\nContent-Type: text/%s; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        return b"".join(
            [
                self.header_block,
                head,
                (part % "plain").encode("ascii"),
                url.join(self.text_pieces),
                b"\r\n",
                (part % "html").encode("ascii"),
                url.join(self.html_pieces),
                f"\r\n--{self.boundary}--\r\n".encode("ascii"),
            ]
        )


class Sender:
    """One connection for a whole batch, paced to `rate` messages per second."""

    def __init__(self, *, rate: float) -> None:
        self.backend = mail.mailers.default
        self.fast = type(self.backend) is SMTPBackend
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()
        self.from_address = ("", "")

    def __enter__(self) -> Sender:
        try:
            self.backend.open()
        except Exception as exc:  # a server that is down or refuses us: retry the batch later, like a 4xx
            raise classify(exc) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.backend.close()

    def _pace(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval

    def send(self, mail_: PostMail, *, to: str, token: str) -> None:
        """Send one copy; raises TemporaryFailure or PermanentFailure."""
        self._pace()
        try:
            if self.fast and to.isascii():
                if self.backend.connection is None:
                    self.backend.open()
                if self.from_address[0] != mail_.from_email:  # sanitised once, not per message
                    self.from_address = (mail_.from_email, self.backend.prep_address(mail_.from_email))
                self.backend.connection.sendmail(self.from_address[1], [to], mail_.raw(to=to, token=token))
            else:
                if not self.backend.send_messages([mail_.message(to=to, token=token)]):
                    raise TemporaryFailure("the mail backend accepted nothing")
        except (TemporaryFailure, PermanentFailure):
            raise
        except Exception as exc:
            failure = classify(exc)
            if isinstance(failure, TemporaryFailure) and isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                self.__exit__()
            raise failure from exc
