"""Rasa's Redis ticket lock, made atomic across replicas.

Rasa 3.6's RedisLockStore issues a ticket by reading the conversation's lock from Redis, adding a
ticket and writing it back; finishing, expiring and deleting tickets are read-modify-writes too. Two
replicas that get messages of one conversation at the same moment can read the same lock, take the
same ticket and handle both messages at once (seen: one REST message sent to both replicas with one
`message_id` was stored twice in one run out of three). Here every read-modify-write of a lock holds a
short per-conversation mutex in the same Redis (redis-py's Lock: SET NX PX, released by a script), so
tickets are unique and none is lost. Named in the replicas' endpoints and deploy/endpoints.production.yml.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# Seconds a mutex is held at most: a replica killed while holding one frees it this late. A
# read-modify-write takes a few milliseconds.
MUTEX_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket bookkeeping is atomic per conversation."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa builds a custom lock store from its endpoint
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: str) -> Any:
        return self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_SECONDS,
                             blocking_timeout=MUTEX_SECONDS)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
