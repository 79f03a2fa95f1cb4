"""Compose one synthetic interview from the bank: the topic guide in order, the participant's raised
codes, answer passages with variation (paraphrase slots, negation, fillers, false starts,
misspellings, crosstalk, asides), and the ground-truth codes of every participant turn.

Everything is drawn from the ``random.Random`` passed in, so one seed gives one interview.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from qualcode.demo.bank import ALTERNATIVES, Bank, Passage, Topic

INTERVIEWER, PARTICIPANT = "interviewer", "participant"
SENTENCE_END = re.compile(r"(?<=[.?!])(?<!U\.S\.)\s+(?=[A-Z\[“\"'—])")
KEEP_CAPITAL = frozenset(
    """I I'm I've I'd I'll Continued Spanish English Wage Mam Mixteco Vietnamese Tagalog Korean Chinese Mexican
    Indigenous Sunday Friday Saturday""".split()
)
CONNECTORS = (
    "And the other thing is,",
    "Related to that,",
    "And I would add,",
    "On a different note,",
    "The other piece of it is,",
    "Also,",
    "And then,",
)
PASSAGES_PER_TURN = ((1, 0.55), (2, 0.33), (3, 0.12))
AVERAGE_PASSAGE_WORDS = 95  # with fillers and added sentences


@dataclass
class Turn:
    speaker: str  # INTERVIEWER or PARTICIPANT
    paragraphs: list[str]
    codes: tuple[str, ...] = ()
    source: str = ""  # the bank passages (or talk) the turn was made from
    topic: str = ""

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


@dataclass(frozen=True)
class Speaker:
    """What the composer needs to know about the participant."""

    role: str
    agency: str  # as the participant names it ("the sheriff's office")
    tf_years: str  # "four years"
    multipliers: dict  # task-force profile: code -> factor on its chance of being raised


@dataclass
class Style:
    """How this participant talks and how carefully this transcript was typed."""

    filler: float
    midfiller: float
    false_start: float
    misspell: float
    annotation: float
    crosstalk: float

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        filler = rng.choice((0.03, 0.08, 0.14, 0.22))
        return cls(
            filler,
            filler / 2,
            rng.uniform(0.01, 0.06),
            rng.choice((0.0, 0.02, 0.06, 0.12)),
            rng.uniform(0.01, 0.05),
            rng.uniform(0.0, 0.03),
        )


@dataclass
class Composer:
    bank: Bank
    speaker: Speaker
    rng: random.Random
    style: Style = None  # type: ignore[assignment]
    turns: list[Turn] = field(default_factory=list)
    used: dict[str, int] = field(default_factory=dict)  # passage id -> times used
    code_uses: dict[str, int] = field(default_factory=dict)
    versions: dict[str, bool] = field(default_factory=dict)  # passage id -> negated in this interview
    raised: set[str] = field(default_factory=set)  # the codes this participant brings up
    extension_uses: dict[int, int] = field(default_factory=dict)
    last_followup: str = ""

    def __post_init__(self):
        if self.style is None:
            self.style = Style.draw(self.rng)
        talk = self.bank.talk
        words = sorted(talk["misspellings"], key=len, reverse=True)
        self._misspell_re = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)

    # the interview -------------------------------------------------------------------------------
    def compose(self, target_words: int) -> list[Turn]:
        rng, guide, role = self.rng, self.bank.guide, self.speaker.role
        self.raised = raised = self.raised_codes()
        self.ask(rng.choice(guide["opening"]["interviewer"]))
        self.say([rng.choice(guide["opening"]["participant"])], source="talk/opening")
        self.ask(rng.choice(guide["background"]["all"]))
        options = self.bank.talk["background"][role]
        k = rng.randrange(len(options))
        self.say([self.vary(options[k])], source=f"talk/background/{role}/{k + 1}", topic="background")
        fixed = sum(t.words for t in self.turns if t.speaker == PARTICIPANT) + 90
        budgets = self.budgets(raised, max(target_words - fixed, 100))
        for topic in self.bank.topics:
            codes = [c for c in topic.codes if c in raised]
            if topic.weight[role] <= 0:
                continue
            self.ask(self.topic_question(topic))
            if not codes:
                k = rng.randrange(len(self.bank.talk["vacuous"]))
                self.say([self.vary(self.bank.talk["vacuous"][k])], source=f"talk/vacuous/{k + 1}", topic=topic.id)
                continue
            self.cover_topic(topic.id, codes, budgets[topic.id])
        self.ask(rng.choice(guide["closing"]["interviewer"]))
        k = rng.randrange(len(self.bank.talk["closing"]))
        self.say([self.vary(self.bank.talk["closing"][k])], source=f"talk/closing/{k + 1}", topic="closing")
        self.ask(rng.choice(guide["closing"]["thanks"]))
        self.say([rng.choice(guide["closing"]["goodbye"])], source="talk/goodbye")
        return self.turns

    def raised_codes(self) -> set[str]:
        """Which codes come up at all: the role's chance times the task force's profile."""
        role, raised = self.speaker.role, set()
        for code, info in self.bank.codes.items():
            chance = min(0.95, info.raise_p[role] * self.speaker.multipliers.get(code, 1.0))
            if self.rng.random() < chance and self.allowed(code):
                raised.add(code)
        return raised

    def allowed(self, code: str) -> list[Passage]:
        return [p for p in self.bank.by_code.get(code, ()) if self.speaker.role in p.roles]

    def budgets(self, raised: set[str], words: int) -> dict[str, float]:
        """Participant words per topic: the role's weight for the topic, more for more raised codes,
        no more than the topic's passages can fill without much repetition (the rest goes elsewhere)."""
        role = self.speaker.role
        weights, capacity = {}, {}
        for topic in self.bank.topics:
            codes = [c for c in topic.codes if c in raised]
            weights[topic.id] = topic.weight[role] * len(codes) ** 0.6 if codes else 0.0
            capacity[topic.id] = 1.3 * AVERAGE_PASSAGE_WORDS * sum(len(self.allowed(c)) for c in codes)
        total_capacity = sum(capacity.values()) or 1.0
        if total_capacity < words:  # a short-spoken participant: repeat more rather than stop early
            capacity = {k: v * words / total_capacity * 1.05 for k, v in capacity.items()}
        budgets = {k: 0.0 for k in weights}
        remaining, open_topics = float(words), {k for k, w in weights.items() if w > 0}
        while remaining > 1 and open_topics:
            total = sum(weights[k] for k in open_topics)
            spill = 0.0
            for k in sorted(open_topics):
                share = remaining * weights[k] / total
                room = capacity[k] - budgets[k]
                budgets[k] += min(share, room)
                spill += max(0.0, share - room)
            open_topics = {k for k in open_topics if capacity[k] - budgets[k] > 1}
            remaining = spill
        return budgets

    def cover_topic(self, topic: str, codes: list[str], budget: float) -> None:
        rng, spoken, first = self.rng, 0, True
        while spoken < budget - AVERAGE_PASSAGE_WORDS / 2 or first:
            code = self.next_code(codes)
            if not first:
                info = self.bank.codes[code]
                if self.code_uses.get(code, 0) == 0 and info.probes and rng.random() < 0.75:
                    self.ask(rng.choice(info.probes))
                else:
                    self.ask(self.followup())
                if rng.random() < 0.05:
                    spoken += self.aside(topic)
            first = False
            left = (budget - spoken) / AVERAGE_PASSAGE_WORDS
            n = rng.choices([n for n, _ in PASSAGES_PER_TURN], [w for _, w in PASSAGES_PER_TURN])[0]
            n = max(1, min(n, int(left + 0.5)))
            spoken += self.answer(topic, codes, code, n)

    def next_code(self, codes: list[str]) -> str:
        least = min(self.code_uses.get(c, 0) for c in codes)
        return self.rng.choice([c for c in codes if self.code_uses.get(c, 0) == least])

    def answer(self, topic: str, codes: list[str], code: str, n: int) -> int:
        """One participant turn: n passages of this topic, the first about ``code``."""
        paragraphs: list[str] = []
        truth: set[str] = set()
        sources: list[str] = []
        ids: set[str] = set()
        for i in range(n):
            if i:
                others = [c for c in codes if c not in truth] or codes
                code = self.next_code(others)
            passage = self.pick(code)
            if passage is None or passage.id in ids:
                break
            ids.add(passage.id)
            negated = self.versions.setdefault(passage.id, passage.negated is not None and self.rng.random() < 0.3)
            text = passage.negated if negated else passage.text
            assert text is not None  # a passage is negated only where it has a negated version
            truth.update(passage.negated_codes if negated else passage.codes)
            for c in passage.codes:
                self.code_uses[c] = self.code_uses.get(c, 0) + 1
            self.used[passage.id] = self.used.get(passage.id, 0) + 1
            sources.append(passage.id + ("~neg" if negated else ""))
            text = self.vary(text + self.extension())
            if i:
                text = f"{self.rng.choice(CONNECTORS)} {lower_first(text)}" if self.rng.random() < 0.6 else text
            paragraphs.extend(self.split_paragraph(text) if n == 1 else [text])
        if self.rng.random() < 0.08:
            paragraphs[-1] += " " + self.rng.choice(self.bank.talk["tails"])
        if self.rng.random() < self.style.crosstalk:
            paragraphs[0] = "[crosstalk] Sorry, go ahead. No? Okay. " + paragraphs[0]
        turn = self.say(paragraphs, tuple(sorted(truth)), "+".join(sources), topic)
        return turn.words

    def extension(self) -> str:
        """Zero to three code-neutral sentences to add to an answer, the least used in this interview first."""
        k = self.rng.choices((0, 1, 2, 3), (0.25, 0.35, 0.27, 0.13))[0]
        pool = self.bank.talk["extensions"]
        chosen = []
        for _ in range(k):
            least = min(self.extension_uses.get(i, 0) for i in range(len(pool)))
            i = self.rng.choice(
                [i for i in range(len(pool)) if self.extension_uses.get(i, 0) == least and i not in chosen]
            )
            self.extension_uses[i] = self.extension_uses.get(i, 0) + 1
            chosen.append(i)
        return "".join(" " + pool[i] for i in chosen)

    def pick(self, code: str) -> Passage | None:
        """A passage about ``code``: the least used so far, preferring those whose other codes were raised too."""
        options = self.allowed(code)
        if not options:
            return None
        rank = {p.id: (self.used.get(p.id, 0), len(set(p.codes) - self.raised)) for p in options}
        best = min(rank.values())
        return self.rng.choice([p for p in options if rank[p.id] == best])

    def aside(self, topic: str) -> int:
        """An uncoded participant turn and the interviewer's way back: an aside, an interruption, a decoy."""
        kind = self.rng.choices(["elaboration", "offtopic", "decoy"], [0.6, 0.3, 0.1])[0]
        options = self.bank.talk[kind]
        k = self.rng.randrange(len(options))
        turn = self.say([self.vary(options[k])], source=f"talk/{kind}/{k + 1}", topic=topic)
        back = self.rng.choice(["No problem.", "No worries.", "That's okay.", "Sure."])
        self.ask(f"{back} {self.followup(plain=True)}")
        return turn.words

    # turns ---------------------------------------------------------------------------------------
    def ask(self, text: str) -> None:
        self.turns.append(Turn(INTERVIEWER, [text]))

    def say(self, paragraphs: list[str], codes: tuple[str, ...] = (), source: str = "", topic: str = "") -> Turn:
        turn = Turn(PARTICIPANT, paragraphs, codes, source, topic)
        self.turns.append(turn)
        return turn

    def topic_question(self, topic: Topic) -> str:
        role_qs = topic.questions.get(self.speaker.role, ())
        pool = role_qs if role_qs and self.rng.random() < 0.6 else topic.questions["all"]
        lead = self.rng.choice(("", "", "Okay. ", "Great, thank you. ", "Thanks. ", "That's really helpful. "))
        return lead + self.rng.choice(pool)

    def followup(self, plain: bool = False) -> str:
        guide = self.bank.guide
        question = self.rng.choice([q for q in guide["followups"] if q != self.last_followup])
        self.last_followup = question
        if plain or self.rng.random() < 0.5:
            return question
        return f"{self.rng.choice(guide['backchannels'])} {question}"

    # variation -----------------------------------------------------------------------------------
    def vary(self, text: str) -> str:
        rng, style = self.rng, self.style
        text = ALTERNATIVES.sub(lambda m: rng.choice(m.group(1).split("|")).strip(), text)
        text = text.replace("{agency}", self.speaker.agency).replace("{tf_years}", self.speaker.tf_years)
        sentences = SENTENCE_END.split(text)
        out = []
        for sentence in sentences:
            r = rng.random()
            if r < style.false_start and len(sentence.split()) > 4:
                head = sentence.split()[0]
                sentence = f"{head} — {lower_first(sentence)}" if head[0].isalpha() else sentence
            elif r < style.false_start + style.filler:
                first_word = sentence.split(" ", 1)[0].strip(",")
                conjunction = first_word in ("And", "But", "So", "Or", "Honestly", "Yeah", "Well")
                filler = rng.choice(("Um", "Uh") if conjunction else self.bank.talk["fillers"])
                sentence = f"{filler}, {lower_first(sentence)}"
            if rng.random() < style.midfiller and ", " in sentence:
                sentence = sentence.replace(", ", f", {rng.choice(self.bank.talk['midfillers'])}, ", 1)
            out.append(sentence)
        if len(out) > 2 and rng.random() < style.annotation:
            k = rng.randrange(1, len(out))
            out[k] = f"{rng.choice(self.bank.talk['annotations'][:3])} {out[k]}"
        text = " ".join(out)
        if style.misspell:
            text = self._misspell_re.sub(lambda m: self.misspell(m.group(0)), text)
        return text

    def misspell(self, word: str) -> str:
        if self.rng.random() >= self.style.misspell:
            return word
        wrong = self.rng.choice(self.bank.talk["misspellings"][word.lower()])
        return wrong[0].upper() + wrong[1:] if word[0].isupper() else wrong

    def split_paragraph(self, text: str) -> list[str]:
        sentences = SENTENCE_END.split(text)
        if len(text.split()) < 70 or len(sentences) < 4 or self.rng.random() >= 0.3:
            return [text]
        cut = len(sentences) // 2
        return [" ".join(sentences[:cut]), " ".join(sentences[cut:])]


def lower_first(sentence: str) -> str:
    """The sentence continuing after a filler: its first word lowercased unless it is I, a name or an acronym."""
    head, _, rest = sentence.partition(" ")
    word = head.strip(",.?!")
    if word[:1].isupper() and word[1:] == word[1:].lower() and word not in KEEP_CAPITAL:
        return head[0].lower() + head[1:] + (" " + rest if rest else "")
    return sentence


def interview_length(target: int, rng: random.Random) -> int:
    """Participant words of one interview: log-normal around the target (a 60 to 90 minute interview)."""
    return int(target * min(1.6, max(0.6, math.exp(rng.gauss(0.0, 0.18)))))


def compose_interview(bank: Bank, speaker: Speaker, rng: random.Random, target_words: int) -> list[Turn]:
    return Composer(bank, speaker, rng).compose(interview_length(target_words, rng))
