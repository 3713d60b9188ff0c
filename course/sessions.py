"""Database sessions read through one precompiled query (SESSION_ENGINE = "course.sessions").

Django's db engine compiles the same SELECT for every page a signed-in trainee opens; this one
compiles it once per process (course/prepared.py) and is otherwise Django's: the database holds
every session, so a logout on one worker or host ends the session for all of them at once.
"""

from datetime import datetime

from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from .prepared import Prepared

_FIELDS = ("session_key", "session_data", "expire_date")
_SESSION = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list(*_FIELDS), str, datetime
)


class SessionStore(DBStore):
    def _get_session_from_db(self):
        if self.get_model_class() is Session and isinstance(self.session_key, str):
            using = router.db_for_read(Session)
            rows = _SESSION.rows(self.session_key, timezone.now(), using=using)
            if rows:
                return Session.from_db(using, _FIELDS, rows[0])
            self._session_key = None
            return None
        return super()._get_session_from_db()
