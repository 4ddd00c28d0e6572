"""What a page has been sent, in seq order: a room socket's ordering rules, without the socket.

A page holds a room's messages up to a seq (its #last-seq, sent when its socket opens). Live
broadcasts go out in seq order: one already sent is dropped, one that overtook a missing one is
held until the gap fills, by a late broadcast or from the database. A page further behind than
REPLAY_LIMIT gets the room's latest page instead of a replay.
"""

# Replays are bounded: a page further behind gets the latest page and a link to where it left off.
REPLAY_LIMIT = 200


class PageSequence:
    def __init__(self):
        self.last_seq = None  # unknown until the page says where it is
        self.held = {}  # seq -> frame of a live broadcast that came ahead of a missing one

    def offer(self, seq, frame):
        """The frames to send now for a live broadcast: none if it waits or was sent already.

        Before the page says where it is nothing is sent: its catch-up will include it.
        """
        if self.last_seq is None or seq <= self.last_seq or seq in self.held:
            return []
        if seq > self.last_seq + 1:
            self.held[seq] = frame
            return []
        self.last_seq = seq
        return [frame, *self.release()]

    def advance(self, seq):
        """The page now holds everything up to seq: the held frames that come next."""
        self.last_seq = max(seq, self.last_seq or 0)
        return self.release()

    def release(self):
        for seq in [seq for seq in self.held if seq <= self.last_seq]:
            del self.held[seq]
        frames = []
        while (frame := self.held.pop(self.last_seq + 1, None)) is not None:
            self.last_seq += 1
            frames.append(frame)
        return frames

    @property
    def has_gap(self):
        return bool(self.held)

    def gap(self):
        """The seqs missing before the first held broadcast."""
        return self.last_seq + 1, min(self.held) - 1


def too_far_behind(page_seq, room_seq):
    return room_seq - page_seq > REPLAY_LIMIT
