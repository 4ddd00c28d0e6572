"""The messages bench/search.py searches: chat-sized bodies over a Zipf vocabulary, with the
words it asks for planted at known rates. Seeded, so every run searches the same text."""

import random
from itertools import accumulate

# English chat words, most frequent first, then made-up words from syllables: a long tail of
# rare words, many sharing a prefix, as a real vocabulary has.
COMMON_WORDS = """
    the a to and of in is it you that for on with this be are was have at not but we can do just
    so if my about all what will one there they get like from up out how now know think time good
    see when your more some no yes an or by me our ok go had would please thanks today tomorrow
    build release server fix bug test review merge branch meeting lunch coffee weekend error log
    page user room message chat team issue
"""
SYLLABLE_TEXT = "ka lo mi ne ru sa ti vo ze pa do ge hu ji be fo qu xi wa yo"
MADE_UP = 30_000
ZIPF_EXPONENT = 1.05
RARE_WORD = "zanzibar"
RARE_EVERY = 100_000  # messages per occurrence of the rare word
# Share of messages holding "deploy", "deployed" and an address with /deployments/ in it.
PLANTED = [(0.05, "deploy"), (0.02, "deployed"), (0.005, "https://ci.example.com/deployments/{n}")]


class Corpus:
    def __init__(self, seed=15):
        self.random = random.Random(seed)
        made_up = set()
        while len(made_up) < MADE_UP:
            count = self.random.randint(2, 4)
            made_up.add("".join(self.random.choices(SYLLABLE_TEXT.split(), k=count)))
        made_up = sorted(made_up)
        self.random.shuffle(made_up)  # so no prefix owns the frequent ranks
        self.vocabulary = COMMON_WORDS.split() + made_up
        weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(self.vocabulary))]
        self.cumulative = list(accumulate(weights))

    def body(self, n):
        """The text of message number n (from 0)."""
        words = self.random.choices(
            self.vocabulary, cum_weights=self.cumulative, k=self.random.randint(3, 25)
        )
        draw, threshold = self.random.random(), 0.0
        for share, planted in PLANTED:
            threshold += share
            if draw < threshold:
                words.insert(self.random.randrange(len(words) + 1), planted.format(n=n))
                break
        if n % RARE_EVERY == RARE_EVERY // 2:
            words.insert(0, RARE_WORD)
        return " ".join(words)
