"""What a physical therapist reads about a patient, made from the patient's record.

The status comes first everywhere (design.md): on the card, the weekly line
and the report. Dates are in the PT's zone, named. Nothing here decides who
may read it: bot.sharing.clinic checks the share before a view is made, and
again just before each letter leaves.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.coach.coach import Coach
from bot.presentation.i18n import _, translate
from bot.presentation.messages import Message
from bot.presentation.texts import SUMMARY_PSFS
from bot.progress import export
from bot.progress.chart import chart_labels, psfs_lines, sentence_case
from bot.sharing.letters import Letter, Rows, keyboard
from bot.storage.ports import Clinician, History, Share, Shares
from flows import ladder, safety, screening
from flows.catalogue import exercise_name
from flows.clinician import desk as d
from flows.clinician import texts as st
from flows.clinician.desk import Desk, Facts, Screen
from flows.effects import Stopped
from flows.model import Rung
from flows.schedule import tz_label
from flows.session import Hold, Session
from flows.trend import leg_trend


class Views:
    def __init__(self, coach: Coach, shares: Shares, history: History) -> None:
        self.coach = coach
        self.shares = shares
        self.history = history

    async def status(self, lang: str, patient_id: int, session: Session, tz: tzinfo) -> list[str]:
        """Where the patient stands now, first on the card, the weekly line and the report
        (design.md): exercising, or paused since when and why; the last warning-sign check
        and its answer. Dates in the PT's zone, named."""
        lines: list[str] = []
        hold = safety.exercise_hold(session)
        changes = await self.history.rung_changes(patient_id)
        screened = await self.history.screenings(patient_id)
        if hold is None:
            lines.append(_(lang, st.STATUS_ACTIVE))
        else:
            if hold == Hold.RED_FLAG:
                yes = [a.at for a in screened if a.yes]
                since = max(yes, default=None)
            else:
                stops = [c.at for c in changes if c.to_rung == Rung.SEE_PT]
                since = max(stops, default=None)
            moved = changes[-1].reason if changes else None
            reason = for_pt(lang, safety.hold_reason(session, hold, moved))
            when = f"{day(since, tz)} ({tz_label(str(tz))})" if since else "-"
            lines.append(translate(lang, st.STATUS_HELD, {"since": when, "reason": reason}))
        if not screened:
            lines.append(_(lang, st.STATUS_SCREEN_NONE))
            return lines
        last = max(screened, key=lambda a: a.at)
        when = day(last.at, tz)
        if last.yes:
            flag = screening.BY_ID.get(last.question)
            question = _(lang, flag.question) if flag is not None else last.question
            params = {"date": when, "question": question}
            lines.append(translate(lang, st.STATUS_SCREEN_YES, params))
        else:
            lines.append(translate(lang, st.STATUS_SCREEN_CLEAN, {"date": when}))
        return lines

    async def card(self, chat_id: int, lang: str, share: Share, tz: tzinfo) -> Letter | None:
        """/patients: one card per patient, the status first, its buttons the table's."""
        session = await self.coach.session(share.patient_id)
        if session is None:
            return None
        history = await self.history.checkins(share.patient_id)
        last = max((c.at for c in history), default=None)
        status = await self.status(lang, share.patient_id, session, tz)
        text = translate(
            lang,
            st.PATIENT_CARD,
            {
                "name": share.patient_name,
                "since": day(share.since, tz),
                "last": day(last, tz) or _(lang, st.NO_CHECKIN),
                "exercise": exercise(lang, session),
                "remind": _(lang, reminders(session)),
            },
        )
        rows = keys(lang, Desk(Screen.CARD, str(share.id)), facts(session))
        card = "\n".join([*status, text])
        return Letter(chat_id, share.patient_id, Message(card, rows))

    async def cleared(self, share: Share, rung: Rung) -> list[Letter]:
        """The patient lifted a hold with "my PT says go on": every PT hears it at once, as
        the patient's word (design.md), with the chart and report a tap away."""
        pt = await self.shares.clinician(share.pt_id or 0)
        if pt is None:
            return []
        lang = pt.language
        text = translate(
            lang,
            st.PATIENT_GO_ON,
            {"name": share.patient_name, "exercise": translate(lang, exercise_name(rung))},
        )
        rows = keys(lang, Desk(Screen.ALERT, str(share.id)), d.NOBODY)
        return [Letter(pt.chat_id, share.patient_id, Message(text, rows))]

    async def alert(self, share: Share, stop: Stopped) -> list[Letter]:
        pt = await self.shares.clinician(share.pt_id or 0)
        if pt is None:
            return []
        lang = pt.language
        text = translate(
            lang, st.ALERT, {"name": share.patient_name, "reason": for_pt(lang, stop.reason)}
        )
        rows = keys(lang, Desk(Screen.ALERT, str(share.id)), d.NOBODY)
        return [Letter(pt.chat_id, share.patient_id, Message(text, rows))]

    async def weekly_line(
        self, pt: Clinician, share: Share, now: datetime, tz: tzinfo
    ) -> Letter | None:
        session = await self.coach.session(share.patient_id)
        if session is None:
            return None
        lang = pt.language
        history = await self.history.checkins(share.patient_id)
        week = [c for c in history if c.at > now - timedelta(days=7)]
        last = max((c.at for c in history), default=None)
        trend = leg_trend(history, now)
        lines = [
            *await self.status(lang, share.patient_id, session, tz),
            translate(
                lang,
                st.WEEKLY_PATIENT,
                {
                    "name": share.patient_name,
                    "sets": len(week),
                    "last": day(last, tz) or _(lang, st.NO_CHECKIN),
                    "trend": _(lang, export.TREND_TERMS[trend]),
                    "exercise": exercise(lang, session),
                    "remind": _(lang, reminders(session)),
                },
            ),
        ]
        labels = chart_labels(lambda m: _(lang, m))
        rated = psfs_lines(await self.history.psfs(share.patient_id), labels.activity_names)
        if rated:
            lines.append(translate(lang, SUMMARY_PSFS, {"ratings": "; ".join(rated)}))
        rows = keys(lang, Desk(Screen.ALERT, str(share.id)), d.NOBODY)
        return Letter(pt.chat_id, share.patient_id, Message("\n".join(lines), rows))


def exercise(lang: str, session: Session) -> str:
    rung = session.rung
    return sentence_case(translate(lang, exercise_name(rung))) if rung else "-"


def keys(lang: str, desk: Desk, facts: Facts, **params: object) -> Rows:
    """The buttons of a screen whose text is made here (a card, an alert, a share)."""
    entry = d.SCREENS[desk.screen]
    return keyboard(lang, desk, entry.buttons(desk, facts), entry.columns, params)


def facts(session: Session) -> Facts:
    """What the PT's table may know of the patient, for a share held live."""
    return Facts(live=True, hold=safety.exercise_hold(session), one_sided=session.one_sided)


def reminders(session: Session) -> str:
    if session.reminders.mode is None:
        return st.REMIND_OFF
    if session.reminders.paused or safety.reminder_pause(session) is not None:
        return st.REMIND_PAUSED
    return st.REMIND_ON


def for_pt(lang: str, reason: str) -> str:
    """A reason in the clinician's words (flows.ladder.FOR_PT), as the report has it."""
    text = _(lang, ladder.FOR_PT.get(reason, reason))
    try:
        return text.format(exercise="-", next_exercise="-", limit="-", count="-")
    except (KeyError, IndexError, ValueError):
        return text


def day(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d") if at is not None else ""
