"""sources/origin.py: the report `jira ticket` drafts from, read from GitHub or the forum."""

from __future__ import annotations

import pytest

from cmtriage.errors import SourceFailure
from cmtriage.sources import origin
from fakes import json_handler, listening


def test_a_forum_answer_that_is_no_topic_object_is_the_forum_s_failure():
    with listening(json_handler(lambda asked: (200, {}, [1, 2]))) as forum, \
            pytest.raises(SourceFailure) as caught:
        origin.read(f"{forum}/t/some-topic/42", forum=forum)
    assert str(caught.value) == f"forum: {forum}: unexpected answer: the topic is not an object"
