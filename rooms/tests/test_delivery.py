"""A room socket's ordering rules (rooms/delivery.py), without a socket."""

from rooms.delivery import REPLAY_LIMIT, PageSequence, too_far_behind


def page_at(seq):
    sequence = PageSequence()
    sequence.advance(seq)
    return sequence


def test_nothing_is_sent_before_the_page_says_where_it_is():
    assert PageSequence().offer(1, "one") == []


def test_the_next_broadcast_is_sent_and_one_already_sent_is_dropped():
    sequence = page_at(3)

    assert sequence.offer(4, "four") == ["four"]
    assert sequence.offer(4, "four again") == []
    assert sequence.offer(2, "old") == []
    assert sequence.last_seq == 4


def test_a_broadcast_ahead_of_a_missing_one_is_held_until_the_gap_fills():
    sequence = page_at(3)

    assert sequence.offer(6, "six") == []
    assert sequence.offer(5, "five") == []
    assert sequence.has_gap
    assert sequence.gap() == (4, 4)

    assert sequence.offer(4, "four") == ["four", "five", "six"]
    assert not sequence.has_gap


def test_a_catch_up_releases_what_was_held_behind_it_and_drops_what_it_covered():
    sequence = page_at(3)
    sequence.offer(5, "five")
    sequence.offer(7, "seven")

    assert sequence.advance(6) == ["seven"]  # five came from the database with four and six
    assert sequence.last_seq == 7
    assert not sequence.has_gap


def test_a_page_further_behind_than_the_replay_limit_gets_the_latest_page():
    assert not too_far_behind(page_seq=100, room_seq=100 + REPLAY_LIMIT)
    assert too_far_behind(page_seq=100, room_seq=101 + REPLAY_LIMIT)
