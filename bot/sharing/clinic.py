"""The physical therapist's side, where it meets the outside world.

The conversation itself is flows.clinician.desk's (which screen asks what, where
each answer leads, who may press what); this carries out its acts with storage,
the coach and the files: a link made or confirmed, a revoke, a chart or report,
a prescription or a lifted hold, a clinician's /forget. One rule decides every
view, alert and prescription: the clinician holds a live share of that patient
(`Share.live`, read from storage at the press, never from the button), checked
again just before each letter leaves (`leaving`). What a PT reads is made by
bot.sharing.views.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.animation.service import AnimationService, cover_still
from bot.coach.coach import Coach, Handled
from bot.presentation import render
from bot.presentation.i18n import _, translate
from bot.presentation.messages import Message
from bot.progress import report as reports
from bot.sharing import codes
from bot.sharing.letters import Letter, keyboard
from bot.sharing.views import Views, day, facts, keys
from bot.storage.ports import Clinician, Conversations, History, Redeemed, Share, Shares
from flows import ladder, owed, remind, safety
from flows import texts as t
from flows.catalogue import exercise_name, step_side
from flows.clinician import desk as d
from flows.clinician import texts as st
from flows.clinician.desk import Desk, Facts, Screen
from flows.effects import RecordRungChange, Stopped
from flows.events import Cleared, Command, Prescribed, SharePress
from flows.schedule import tz_label, validate_tz
from flows.session import Hold, Session, State
from flows.states import prompt

log = logging.getLogger(__name__)

COMMANDS = frozenset({"share", "sharing", "patients"})
SUMMARY_DAY, SUMMARY_AT = 0, time(8, 0)  # Monday morning, in the clinician's time zone
NAME_MAX = 64
# the longest a letter's send may take: the send policy's 60 s of waiting out 429s, and
# the requests' own time-outs (bot.telegram.policy)
SEND_LIMIT = timedelta(seconds=120)
SEND_WITHIN = 90.0  # s: the sender gives a letter up after this, well inside SEND_LIMIT
SETTLE_POLL_S = 0.05

_LINK_ANSWERS = {
    Redeemed.OWN: st.LINK_OWN,
    Redeemed.USED: st.LINK_USED,
    Redeemed.EXPIRED: st.LINK_EXPIRED,
    Redeemed.UNKNOWN: st.LINK_UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class Person:
    """Who pressed or typed: the ids, their first name, their client's language."""

    user_id: int
    chat_id: int
    name: str
    language: str
    update_id: int | None = None  # the update that carried it: a re-delivery acts once


def summary_slot(now: datetime, tz: tzinfo) -> datetime:
    """The latest Monday 08:00 (clinician's time) at or before `now`."""
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - SUMMARY_DAY) % 7)
    slot = datetime.combine(day, SUMMARY_AT, tzinfo=tz)
    if slot > local:
        slot -= timedelta(days=7)
    return slot


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


class Clinic:
    def __init__(
        self,
        coach: Coach,
        shares: Shares,
        history: History,
        conversations: Conversations,
        animations: AnimationService | None = None,
        key: bytes | None = None,
    ) -> None:
        # the share codes' key (bot.sharing.codes): the same in every process of a
        # deployment, so a re-delivered /share makes the same link in any of them
        self.key = key or secrets.token_bytes(32)
        self.coach = coach
        self.shares = shares
        self.history = history
        self.conversations = conversations
        self.animations = animations  # the exercise's picture in a PT's report, if any
        self.views = Views(coach, shares, history)

    async def _picture(self, session: Session) -> bytes | None:
        """The still that stands for the patient's exercise, for their side (issue 27)."""
        if self.animations is None:
            return None
        rung = session.exercise
        still = cover_still(rung, step_side(rung, session.assessment.side, session.glide_shoulder))
        path = self.animations.cached(still) if still is not None else None
        return await asyncio.to_thread(path.read_bytes) if path is not None else None

    def now(self) -> datetime:
        return self.coach.clock()

    # --- what adapters call -----------------------------------------------------------

    async def handle(
        self, who: Person, event: Command | SharePress, bot_username: str
    ) -> list[Letter] | None:
        """The sharing side's answer, or None when the event is the conversation's."""
        if isinstance(event, SharePress):
            return await self._press(who, event.value)
        if event.name == "share":
            return await self._owed_after(who, await self._share(who, bot_username))
        if event.name == "sharing":
            return await self._owed_after(who, await self._sharing(who))
        if event.name == "patients":
            return await self._owed_after(who, await self._patients(who))
        if event.name == "start" and codes.looks_like_code(event.args):
            return await self._open(who, event.args.strip())
        if event.name == "forget" and await self._only_clinician(who.user_id):
            return [self._ask_forget(who, await self._lang(who))]
        return None

    @contextlib.asynccontextmanager
    async def leaving(self, letter: Letter) -> AsyncIterator[bool]:
        """Whether `letter` may leave now (design.md: access is checked again just before
        each letter leaves). The check and a mark saying the letter is on its way are made
        under the patient's lock, the send after it (cut off at SEND_WITHIN by the sender):
        a revoke or /forget waits for the marks (`settled`) before it is confirmed, so
        nothing about a patient reaches a PT after that, and no lock is held across a send."""
        about = letter.about
        if about is None or about == letter.chat_id:
            yield True
            return
        async with self.coach.lock(about):
            allowed = await self._may_see(about, letter.chat_id)
            now = self.now()
            until = now + SEND_LIMIT
            mark = (
                await self.shares.sending(about, letter.chat_id, now, until) if allowed else None
            )
        try:
            yield allowed
        finally:
            if mark is not None:
                await self.shares.sent(mark)

    async def settled(self, patient_id: int, chat_id: int | None = None) -> None:
        """Wait until no letter about the patient (to `chat_id`, or to anyone) is on its
        way: after a revoke or a /forget, before it is confirmed. The patient's lock is
        taken once first, so a check that saw the share live has written its mark. A mark
        a stopped process left ends with its time (SEND_LIMIT): this never waits longer."""
        async with self.coach.lock(patient_id):
            pass
        give_up = asyncio.get_running_loop().time() + SEND_LIMIT.total_seconds()
        while await self.shares.in_flight(patient_id, self.now(), chat_id):
            if asyncio.get_running_loop().time() > give_up:
                log.warning("a letter about a patient was still marked as on its way")
                return
            await asyncio.sleep(SETTLE_POLL_S)

    async def settle_ended(self, user_id: int, handled: Handled) -> None:
        """Before a turn that ended shares (/forget) is shown, and before the other side
        hears of it: the letters already on their way between the two arrive first."""
        for share in handled.ended:
            if share.patient_id == user_id:
                await self.settled(user_id)
                await self.shares.unmark(user_id)  # no row names them any more
            elif share.pt_id == user_id:
                await self.settled(share.patient_id, user_id)  # a PT's chat is their own

    async def _may_see(self, patient_id: int, chat_id: int) -> bool:
        for share in await self._live_of_patient(patient_id):
            pt = await self.shares.clinician(share.pt_id or 0)
            if pt is not None and pt.chat_id == chat_id:
                return True
        return False

    async def _owed_after(self, who: Person, letters: list[Letter]) -> list[Letter]:
        """design.md: a command that shows something else asks the owed question again
        (flows.owed), like the conversation's own commands do."""
        session = await self.coach.session(who.user_id)
        if session is None or owed.owed(session) is None or session.state != owed.owed(session):
            return letters
        again = render.question(prompt(session, t.OWED_AGAIN), session.language)
        return letters if again is None else [*letters, Letter(who.chat_id, None, again)]

    async def after(self, user_id: int, handled: Handled) -> list[Letter]:
        """Tell the other side of a share what the user's turn did: a stop, a /forget."""
        letters = await self._ended(user_id, handled.ended)
        stops = [e for e in handled.effects if isinstance(e, Stopped)]
        if stops:
            for share in await self._live_of_patient(user_id):
                letters += await self.views.alert(share, stops[-1])
        cleared = [
            e
            for e in handled.effects
            if isinstance(e, RecordRungChange) and e.reason == ladder.R_PT_GO_ON
        ]
        if cleared:
            for share in await self._live_of_patient(user_id):
                letters += await self.views.cleared(share, cleared[-1].to_rung)
        return letters

    async def _ended(self, user_id: int, ended: Sequence[Share]) -> list[Letter]:
        """The other side of each share `user_id`'s /forget ended hears of it."""
        letters: list[Letter] = []
        for share in ended:
            if share.patient_id == user_id and share.pt_id is not None:
                pt = await self.shares.clinician(share.pt_id)
                if pt is not None:
                    text = translate(pt.language, st.NO_LONGER, {"name": share.patient_name})
                    letters.append(Letter(pt.chat_id, None, Message(text)))
            elif share.pt_id == user_id:
                patient = await self.coach.loaded(share.patient_id)
                if patient is not None:
                    lang = patient.session.language
                    text = translate(lang, st.PT_LEFT, {"pt": share.pt_name or "-"})
                    letters.append(Letter(patient.chat_id, None, Message(text)))
        return letters

    async def weekly(self) -> list[Letter]:
        """Monday's summaries that are due; each is marked sent before it goes (a crash
        loses a summary rather than sending it twice, as with reminders)."""
        now = self.now()
        letters: list[Letter] = []
        for pt in await self.shares.clinicians():
            tz = zone(pt.tz)
            if pt.last_summary >= summary_slot(now, tz):
                continue
            await self.shares.summary_sent(pt.pt_id, now)
            held = await self.shares.of_clinician(pt.pt_id)
            if not held:
                continue
            lang = pt.language
            head = _(lang, st.WEEKLY_HEAD)
            letters.append(Letter(pt.chat_id, None, Message(head)))
            for share in held:
                letter = await self.views.weekly_line(pt, share, now, tz)
                if letter is not None:
                    letters.append(letter)
        return letters

    # --- the patient ------------------------------------------------------------------

    async def _share(self, who: Person, bot_username: str) -> list[Letter]:
        session = await self.coach.session(who.user_id)
        if session is None or session.state == State.NEW:
            return [self._say(who.chat_id, who.language, st.SHARE_FIRST)]
        lang = session.language
        now = self.now()
        code = codes.code_for(self.key, who.user_id, who.update_id)
        made, _ = await self.shares.peek(code, who.user_id, now)
        if made != Redeemed.OWN:  # a re-delivered /share: its link is already made
            await self.shares.create(
                who.user_id, who.name[:NAME_MAX] or "-", code, now, now + codes.VALID_FOR
            )
        link = codes.link(bot_username, code)
        return [
            self._say(who.chat_id, lang, st.SHARE_LINK, link=link),
            self._say(who.chat_id, lang, st.SHARE_WHAT),
        ]

    async def _sharing(self, who: Person) -> list[Letter]:
        lang = await self._lang(who)
        live = await self._live_of_patient(who.user_id)
        if not live:
            return [self._say(who.chat_id, lang, st.SHARING_NONE)]
        tz = await self._patient_tz(who.user_id)
        letters = []
        for share in live:
            pt = share.pt_name or "-"
            text = translate(
                lang,
                st.SHARING_ONE,
                {
                    "pt": pt,
                    "since": day(share.since, tz),
                    "looked": day(share.last_viewed, tz) or _(lang, st.NEVER),
                },
            )
            rows = keys(lang, Desk(Screen.SHARING, str(share.id)), d.NOBODY, pt=pt)
            letters.append(Letter(who.chat_id, who.user_id, Message(text, rows)))
        return letters

    async def _revoke(self, who: Person, share: Share | None, act: d.Revoke) -> list[Letter]:
        """A revoke ends every share between this patient and that PT (design.md), under
        the patient's lock: a letter checked for access under the same lock (`leaving`)
        is either refused, or on its way and waited for before "Done" is said."""
        lang = await self._lang(who)
        async with self.coach.lock(who.user_id):
            now = self.now()
            revoked = await self.shares.revoke(act.share, who.user_id, now)
            if revoked is not None and revoked.pt_id is not None:
                for other in await self._live_of_patient(who.user_id):
                    if other.pt_id == revoked.pt_id:
                        await self.shares.revoke(other.id, who.user_id, now)
        if revoked is None:  # not theirs, or stopped already: show what is true now
            return await self._sharing(who)
        pt = await self.shares.clinician(revoked.pt_id or 0)
        # what was already on its way to that PT arrives before "Done"
        await self.settled(who.user_id, pt.chat_id if pt is not None else None)
        letters = [self._say(who.chat_id, lang, st.REVOKED, pt=revoked.pt_name or "-")]
        if pt is not None:
            text = translate(pt.language, st.NO_LONGER, {"name": revoked.patient_name})
            letters.append(Letter(pt.chat_id, None, Message(text)))
        return letters

    # --- opening a link ---------------------------------------------------------------

    async def _open(self, who: Person, code: str) -> list[Letter]:
        lang = await self._lang(who)
        verdict, share = await self.shares.peek(code, who.user_id, self.now())
        if _followed_already(verdict, share, who):
            assert share is not None
            return [self._say(who.chat_id, lang, st.ALREADY_FOLLOW, name=share.patient_name)]
        if verdict is not Redeemed.OK or share is None:
            return [self._say(who.chat_id, lang, _LINK_ANSWERS.get(verdict, st.LINK_UNKNOWN))]
        asked = d.ask(Desk(Screen.LINK, code), d.NOBODY)
        return [self._asked(who, lang, asked, name=share.patient_name)]

    async def _confirm(self, who: Person, held: Share | None, act: d.Confirm) -> list[Letter]:
        lang = await self._lang(who)
        now = self.now()
        name = who.name[:NAME_MAX]
        verdict, share = await self.shares.redeem(act.code, who.user_id, name, now)
        again = _followed_already(verdict, share, who)
        if again and await self.shares.clinician(who.user_id) is not None:
            assert share is not None  # a re-delivered "Yes, I am": done already
            return [self._say(who.chat_id, lang, st.ALREADY_FOLLOW, name=share.patient_name)]
        if not again and (verdict is not Redeemed.OK or share is None):
            return [self._say(who.chat_id, lang, _LINK_ANSWERS.get(verdict, st.LINK_UNKNOWN))]
        assert share is not None  # redeemed now, or before a crash that left it half done
        followed = [
            s
            for s in await self._live_of_patient(share.patient_id)
            if s.pt_id == who.user_id and s.id != share.id
        ]
        if followed:  # a second link from someone they follow: the one share stays
            await self.shares.revoke(share.id, share.patient_id, now)
            return [self._say(who.chat_id, lang, st.ALREADY_FOLLOW, name=share.patient_name)]
        return await self._welcome(who, lang, share)

    async def _welcome(self, who: Person, lang: str, share: Share) -> list[Letter]:
        """A PT's first share of this patient: their row, a time zone once, the patient
        told. Also what finishes a confirmation a stopped process left half done."""
        now = self.now()
        known = await self.shares.clinician(who.user_id)
        await self.shares.save_clinician(
            Clinician(
                pt_id=who.user_id,
                chat_id=who.chat_id,
                language=lang,
                tz=known.tz if known is not None else "UTC",
                last_summary=known.last_summary if known is not None else now,
            )
        )
        letters = [self._say(who.chat_id, lang, st.PT_WELCOME, name=share.patient_name)]
        if known is None:
            letters.append(self._asked(who, lang, d.ask(Desk(Screen.ZONE), d.NOBODY)))
        patient = await self.coach.loaded(share.patient_id)
        if patient is not None:
            letters.append(
                self._say(
                    patient.chat_id,
                    patient.session.language,
                    st.SHARED_WITH,
                    pt=share.pt_name or "-",
                )
            )
        return letters

    async def _set_tz(self, who: Person, share: Share | None, act: d.SetZone) -> list[Letter]:
        pt = await self.shares.clinician(who.user_id)
        canonical = validate_tz(act.tz)
        if pt is None or canonical is None:
            return [self._say(who.chat_id, who.language, st.NOT_SHARED)]
        await self.shares.save_clinician(replace(pt, tz=canonical))
        return [self._say(who.chat_id, pt.language, st.PT_TZ_SET, tz=tz_label(canonical))]

    # --- the clinician's view ---------------------------------------------------------

    async def _patients(self, who: Person) -> list[Letter]:
        lang = await self._lang(who)
        held = await self.shares.of_clinician(who.user_id)
        if not held:
            return [self._say(who.chat_id, lang, st.PATIENTS_NONE)]
        pt = await self.shares.clinician(who.user_id)
        tz = zone(pt.tz) if pt is not None else zone("UTC")
        letters = []
        for share in held:
            card = await self.views.card(who.chat_id, lang, share, tz)
            letters += [card] if card is not None else []
        return letters

    async def _chart(self, who: Person, share: Share | None, act: d.Chart) -> list[Letter]:
        lang = await self._lang(who)
        assert share is not None  # a share screen's act: d.answer checked it is live
        session = await self.coach.session(share.patient_id)
        if session is None:
            return [self._say(who.chat_id, lang, st.NOT_SHARED)]
        now = self.now()
        result = await reports.progress(
            self.history,
            share.patient_id,
            replace(session, language=lang),
            now,
            for_name=share.patient_name,
            tz=await self._pt_tz(who),
        )
        await self.shares.viewed(share.id, now)
        return [
            Letter(who.chat_id, share.patient_id, message)
            for message in render.chart(result, lang, for_name=share.patient_name)
        ]

    async def _report(self, who: Person, share: Share | None, act: d.Report) -> list[Letter]:
        lang = await self._lang(who)
        assert share is not None  # a share screen's act: d.answer checked it is live
        session = await self.coach.session(share.patient_id)
        if session is None:
            return [self._say(who.chat_id, lang, st.NOT_SHARED)]
        now = self.now()
        # a PT's report never lists the patient's other clinicians: only this share
        files = await reports.export_files(
            self.history,
            share.patient_id,
            replace(session, language=lang),
            now,
            [share],
            for_name=share.patient_name,
            status=await self.views.status(
                lang, share.patient_id, session, await self._pt_tz(who)
            ),
            exercise_png=await self._picture(session),
            tz=await self._pt_tz(who),
        )
        await self.shares.viewed(share.id, now)
        return [
            Letter(who.chat_id, share.patient_id, message)
            for message in render.export(files, lang, now, for_name=share.patient_name)
        ]

    # --- the clinician's prescription and lift ---------------------------------------

    async def _lift(self, who: Person, share: Share | None, act: d.LiftHold) -> list[Letter]:
        """A PT who follows the patient lifts a stop from the card (design.md), recorded
        with the PT's name; the hold is checked again in the patient's turn."""
        assert share is not None  # a share screen's act: d.answer checked it is live
        lang, name = await self._lang(who), share.patient_name
        event = Cleared(act.rx, who.user_id, who.name or "-")
        done = await self._as_pt(who, share, event)
        if done is None or done[1].duplicate:  # ended meanwhile, or a re-delivered update
            return [] if done is not None else [self._say(who.chat_id, lang, st.NOT_SHARED)]
        letters, handled = done
        if not handled.effects:  # a warning sign since the card, or nothing held any more
            red = safety.exercise_hold(handled.session) == Hold.RED_FLAG
            said = st.LIFT_RED_FLAG if red else st.OLD_BUTTON
            return [self._about(who, share, lang, said, name=name)]
        exercise = translate(lang, exercise_name(act.rx.rung))
        letters.append(self._about(who, share, lang, st.LIFTED, name=name, exercise=exercise))
        return letters + await self.after(share.patient_id, handled)

    async def _apply(self, who: Person, share: Share | None, act: d.Prescribe) -> list[Letter]:
        assert share is not None  # a share screen's act: d.answer checked it is live
        lang = await self._lang(who)
        done = await self._as_pt(who, share, Prescribed(act.rx, who.user_id))
        if done is None or done[1].duplicate:  # ended meanwhile, or a re-delivered update
            return [] if done is not None else [self._say(who.chat_id, lang, st.NOT_SHARED)]
        letters, handled = done
        waits = safety.exercise_hold(handled.session) is not None
        letters.append(
            self._about(
                who,
                share,
                lang,
                st.RX_WAITS if waits else st.RX_SENT,
                name=share.patient_name,
                exercise=translate(lang, exercise_name(act.rx.rung)),
            )
        )
        return letters + await self.after(share.patient_id, handled)

    async def _as_pt(
        self, who: Person, share: Share, event: Prescribed | Cleared
    ) -> tuple[list[Letter], Handled] | None:
        """The PT's act as a turn of the patient's, the share checked live again under the
        patient's lock (a revoke a moment before wins); None when it is not. With it, what
        the patient reads (texts only: they read it when they come)."""
        patient_id = share.patient_id
        async with self.coach.lock(patient_id):
            live = await self._held_share(who, share.id)
            patient = await self.coach.loaded(patient_id) if live else None
            if patient is None:
                return None
            handled = await self.coach.handle_unlocked(
                patient_id, patient.chat_id, event, update_id=who.update_id
            )
        plang = handled.session.language
        letters = [
            Letter(patient.chat_id, patient_id, message)
            for message in render.texts(handled.effects, plang)
        ]
        return letters, handled

    # --- a clinician's /forget (one who is not also a patient here) ------------------

    async def _only_clinician(self, user_id: int) -> bool:
        return (
            await self.coach.session(user_id) is None
            and await self.shares.clinician(user_id) is not None
        )

    def _ask_forget(self, who: Person, lang: str) -> Letter:
        return self._asked(who, lang, d.ask(Desk(Screen.FORGET), d.NOBODY))

    async def _forget(self, who: Person, share: Share | None, act: d.ForgetMe) -> list[Letter]:
        lang = await self._lang(who)
        if not await self._only_clinician(who.user_id):
            return [self._say(who.chat_id, lang, st.KEPT)]
        async with self.coach.lock(who.user_id):
            held = await self.shares.of_clinician(who.user_id)
            await self.conversations.forget(who.user_id)
        for share in held:  # what was on its way to them arrives before anyone is told
            await self.settled(share.patient_id, who.chat_id)
        letters = [self._say(who.chat_id, lang, st.PT_FORGOTTEN)]
        return letters + await self._ended(who.user_id, held)

    # --- presses ----------------------------------------------------------------------

    async def _press(self, who: Person, value: str) -> list[Letter]:
        """A sharing button, through the PT's conversation (flows.clinician.desk): the
        rights come from storage now, the answer from the table, the act from here."""
        pressed = d.unpack(value)
        if pressed is None:  # an older message's button, or a forged one
            return [self._say(who.chat_id, await self._lang(who), st.OLD_BUTTON)]
        desk, answer = pressed
        share, facts = await self._held(who, desk)
        reply = d.answer(desk, answer, facts)
        if isinstance(reply, d.Asked):
            name = share.patient_name if share is not None else "-"
            return [self._asked(who, await self._lang(who), reply, name=name)]
        acts: dict[type, Callable[[Person, Share | None, Any], Awaitable[list[Letter]]]] = {
            d.Tell: self._tell,
            d.Chart: self._chart,
            d.Report: self._report,
            d.Prescribe: self._apply,
            d.LiftHold: self._lift,
            d.Revoke: self._revoke,
            d.Confirm: self._confirm,
            d.SetZone: self._set_tz,
            d.ForgetMe: self._forget,
        }
        return await acts[type(reply)](who, share, reply)

    async def _tell(self, who: Person, share: Share | None, act: d.Tell) -> list[Letter]:
        lang = await self._lang(who)
        if share is not None:  # it may tell of the patient's state (a warning sign)
            return [self._about(who, share, lang, act.text, name=share.patient_name)]
        return [self._say(who.chat_id, lang, act.text, name="-")]

    async def _held_share(self, who: Person, share_id: int) -> Share | None:
        share = await self.shares.get(share_id)
        return share if share is not None and share.live and share.pt_id == who.user_id else None

    async def _held(self, who: Person, desk: Desk) -> tuple[Share | None, Facts]:
        """The share a share screen's button names, if the presser holds it live right
        now, and what the table needs to know of the patient."""
        if not d.SCREENS[desk.screen].on_share:
            return None, d.NOBODY
        share = await self._held_share(who, int(desk.ref))
        if share is None:
            return None, d.NOBODY
        session = await self.coach.session(share.patient_id)
        return (share, facts(session)) if session is not None else (None, d.NOBODY)

    # --- helpers ----------------------------------------------------------------------

    async def _live_of_patient(self, patient_id: int) -> list[Share]:
        return [s for s in await self.shares.of_patient(patient_id) if s.live]

    async def _lang(self, who: Person) -> str:
        """The language the person chose here: as a patient, else as a clinician."""
        session = await self.coach.session(who.user_id)
        if session is not None:
            return session.language
        pt = await self.shares.clinician(who.user_id)
        return pt.language if pt is not None else who.language

    async def _pt_tz(self, who: Person) -> tzinfo:
        pt = await self.shares.clinician(who.user_id)
        return zone(pt.tz) if pt is not None else zone("UTC")

    async def _patient_tz(self, patient_id: int) -> tzinfo:
        session = await self.coach.session(patient_id)
        return remind.user_tz(session) if session is not None else zone("UTC")

    @staticmethod
    def _about(who: Person, share: Share, lang: str, msgid: str, **params: object) -> Letter:
        """A reply to the PT that tells of the patient's state: checked as it leaves."""
        text = translate(lang, msgid, params)
        return Letter(who.chat_id, share.patient_id, Message(text))

    @staticmethod
    def _say(chat_id: int, lang: str, msgid: str, **params: object) -> Letter:
        return Letter(chat_id, None, Message(translate(lang, msgid, params)))

    @staticmethod
    def _asked(who: Person, lang: str, asked: d.Asked, **params: object) -> Letter:
        """A question of the PT's conversation, its buttons carrying their place."""
        words = {**asked.params, **params}
        rows = keyboard(lang, asked.desk, asked.choices, asked.columns, words)
        return Letter(who.chat_id, None, Message(translate(lang, asked.text, words), rows))


def _followed_already(verdict: Redeemed, share: Share | None, who: Person) -> bool:
    """The link was used, by this clinician, whose share is live: opening or confirming
    it again (a second tap, a re-delivered update) changes nothing and fails nothing."""
    return (
        verdict is Redeemed.USED
        and share is not None
        and share.pt_id == who.user_id
        and share.live
    )


__all__: Sequence[str] = ("COMMANDS", "Clinic", "Person", "summary_slot")
