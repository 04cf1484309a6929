"""Commentary on a measure in a month: stored with its author and time, audited, read back as dicts.

The text is stored as typed; whoever shows it renders it as text, never as markup.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scorecard.errors import BadInput
from sql.models import Comment, Provider
from sql.repo import audit

MAX_LENGTH = 4000
COLUMNS = ("id", "provider", "measure", "params", "month", "author", "author_role", "at", "text")


def add_comment(session: Session, *, provider_id: int, measure: str, params: str, month: str, author: str,
                author_role: str, text: str) -> Comment:
    """Store one comment and its audit entry in the caller's transaction."""
    text = (text or "").strip()
    if not text:
        raise BadInput("a comment needs some text")
    if len(text) > MAX_LENGTH:
        raise BadInput(f"a comment is at most {MAX_LENGTH:,} characters, this one has {len(text):,}")
    comment = Comment(provider_id=provider_id, measure=measure, params=params, month=month, author=author,
                      author_role=author_role, text=text)
    session.add(comment)
    session.flush()
    provider = session.get(Provider, provider_id)
    audit(session, author, "comment.add", f"{provider.name if provider else provider_id}/{measure}",
          id=comment.id, params=params, month=month, role=author_role, text=text)
    return comment


def list_comments(engine: Engine, provider_ids: list[int], *, month: str | None = None,
                  measure: str | None = None, params: str | None = None) -> list[dict]:
    """Comments of the providers (oldest first), optionally of one month and one measure series."""
    q = (select(Comment.id, Provider.name, Comment.measure, Comment.params, Comment.month, Comment.author,
                Comment.author_role, Comment.at, Comment.text)
         .join(Provider, Provider.id == Comment.provider_id)
         .where(Comment.provider_id.in_(provider_ids)))
    if month is not None:
        q = q.where(Comment.month == month)
    if measure is not None:
        q = q.where(Comment.measure == measure)
    if params is not None:
        q = q.where(Comment.params == params)
    q = q.order_by(Comment.at, Comment.id)
    with engine.connect() as conn:
        return [dict(zip(COLUMNS, row)) for row in conn.execute(q)]
