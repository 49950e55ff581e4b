"""Which links of a listing are stored already, asked by many polls at once.

Every poll of every source asks, and a transaction per question costs more than the
question: a pass over a thousand sources whose items are all known would spend most of
its database time beginning and committing. Questions asked while one batch is being
answered wait for the next, so they are answered together: as many transactions as the
database can take, never one per poll.
"""

from __future__ import annotations

import asyncio

from storage import Database
from storage.queries import KnownLinks, LinkQuestion, known_links


class LinkCheck:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[LinkQuestion, asyncio.Future[KnownLinks]]] = []
        self._answering: asyncio.Task[None] | None = None

    async def ask(self, question: LinkQuestion) -> KnownLinks:
        answer: asyncio.Future[KnownLinks] = asyncio.get_running_loop().create_future()
        self._waiting.append((question, answer))
        if self._answering is None:
            self._answering = asyncio.create_task(self._answer())
        return await answer

    async def _answer(self) -> None:
        batch: list[tuple[LinkQuestion, asyncio.Future[KnownLinks]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    found = await self.db.run(known_links, [q for q, _ in batch])
                except Exception as exc:  # each poll that asked fails as it would alone
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(exc)
                    continue
                for (_, answer), known in zip(batch, found, strict=True):
                    if not answer.done():  # its poll may have been cancelled
                        answer.set_result(known)
        finally:
            self._answering = None
            for _, answer in batch + self._waiting:  # cancelled: so are they
                answer.cancel()
