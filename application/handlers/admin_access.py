"""LogIn and CreateAdmin."""

from __future__ import annotations

import logging

from application.commands import CreateAdmin, LogIn
from application.ids import new_id
from application.ports.password_hasher import PasswordHasher
from application.ports.rate_limits import RateLimit, RateLimiter
from application.ports.unit_of_work import UnitOfWorkFactory
from application.redaction import mask_email
from domain.admin_user import AdminUser
from domain.customer import normalize_email
from domain.errors import RateLimited, Unauthorized, ValidationFailed

MIN_PASSWORD = 5
# SPEC §5: 5 failed attempts per 15 minutes per client.
FAILED_LOGINS = RateLimit("login", 5, 15 * 60)

log = logging.getLogger("elope.admin")


async def log_in(
    command: LogIn, *, uow: UnitOfWorkFactory, hasher: PasswordHasher, limiter: RateLimiter,
) -> AdminUser:
    """The admin whose password matches; a client with too many recent failures is refused
    before its password is even looked at."""
    wait = await limiter.blocked_for(FAILED_LOGINS, command.client)
    if wait is not None:
        _refused(command, "throttled")
        # SPEC §8's 429 carries Retry-After: the client learns when its window ends.
        raise RateLimited("too many failed logins; try again in 15 minutes", retry_after=wait)
    async with uow() as tx:
        user = await tx.admin_users.by_email(command.email.strip().lower())
    # Checked even for an unknown email (against a decoy), so the answer time does not
    # reveal which emails exist.
    matches = await hasher.verify(user.password_hash if user else None, command.password)
    if user is None or not matches:
        await limiter.hit(FAILED_LOGINS, command.client)
        _refused(command, "unknown_email" if user is None else "wrong_password")
        raise Unauthorized("wrong email or password")
    return user


def _refused(command: LogIn, reason: str) -> None:
    # One line per refusal, for spotting a guessing attack: the email masked (it is personal
    # data, and may be a password typed into the wrong field), never the password.
    log.info("admin login refused", extra={
        "email": mask_email(command.email), "reason": reason, "client": command.client})


def acceptable_password(password: str) -> str:
    """The password, when an admin may have it (the command line checks it before it opens
    the database); ValidationFailed when not."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters")
    return password


async def create_admin(
    command: CreateAdmin, *, uow: UnitOfWorkFactory, hasher: PasswordHasher,
) -> AdminUser:
    """Create an admin, or set a new password for an existing one."""
    email = normalize_email(command.email)
    password_hash = await hasher.hash(acceptable_password(command.password))
    async with uow() as tx:
        existing = await tx.admin_users.by_email(email)
        user = AdminUser(existing.id if existing else new_id("adm"), email, password_hash)
        await tx.admin_users.upsert(user)
        await tx.commit()
    return user

