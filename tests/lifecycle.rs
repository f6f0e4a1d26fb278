//! The lifecycle of DESIGN.md: every state × every change, allowed or refused with its reason;
//! and random event sequences that fold deterministically and never reach an impossible state.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;
use zhuqi::domain::{
    Appeal, AppealChange, AppealId, Assignment, Capture, ChangeKind, ClosedHow, Field, Level,
    Refusal, Satisfaction, Status,
};

fn t0() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.with_ymd_and_hms(2024, 1, 10, 9, 0, 0).single())
        .unwrap_or_else(|| panic!("fixed test time"))
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn id() -> AppealId {
    ulid::Ulid::from_parts(1, 1)
}

fn capture() -> AppealChange {
    AppealChange::Captured(Capture {
        number: 1,
        external_id: None,
        enterprise: "浙江圆通航空投资发展有限公司".into(),
        category: "消防".into(),
        text: "特殊消防审批进度慢".into(),
        contact: Some("宋敏生".into()),
        meeting: Some(1),
        departments: vec!["住建局".into()],
        day_only: Default::default(),
    })
}

fn assign(steward: &str) -> AppealChange {
    AppealChange::Assigned(Assignment {
        steward: steward.into(),
        lead_dept: "住建局".into(),
        co_depts: vec!["国土局".into(), "住建局".into()],
        due: day("2024-01-24"),
    })
}

/// A well-formed change of each kind, as it would be asked for at `t0` + a few hours.
fn sample(kind: ChangeKind) -> AppealChange {
    match kind {
        ChangeKind::Capture => capture(),
        ChangeKind::ResolveOnSpot => AppealChange::ResolvedOnSpot {
            answer: "当场答复".into(),
        },
        ChangeKind::List => AppealChange::Listed,
        ChangeKind::Assign => assign("朱洁"),
        ChangeKind::Acknowledge => AppealChange::Acknowledged,
        ChangeKind::Return => AppealChange::Returned {
            reason: "不属于本部门职责".into(),
        },
        ChangeKind::Reassign => AppealChange::Reassigned {
            steward: "王海峰".into(),
            lead_dept: None,
        },
        ChangeKind::Note => AppealChange::Noted {
            text: "现场踏勘完毕".into(),
        },
        ChangeKind::Escalate => AppealChange::Escalated {
            level: Level::Province,
            to: "省住建厅".into(),
            note: None,
        },
        ChangeKind::Extend => AppealChange::Extended {
            due: day("2024-02-07"),
            reason: "等待省级审查".into(),
        },
        ChangeKind::Urge => AppealChange::Urged { note: None },
        ChangeKind::Answer => AppealChange::Answered {
            text: "审查意见已出具".into(),
        },
        ChangeKind::Feedback => AppealChange::Feedback {
            rating: Satisfaction::Satisfied,
            comment: None,
            reopen_due: None,
        },
        ChangeKind::Reopen => AppealChange::Reopened {
            reason: "企业反映问题未解决".into(),
            due: day("2024-01-31"),
        },
        ChangeKind::Withdraw => AppealChange::Withdrawn {
            reason: "企业已自行解决".into(),
        },
        ChangeKind::Close => AppealChange::Closed {
            note: "企业联系不上，电话回访三次未接".into(),
        },
    }
}

fn fold(changes: &[AppealChange]) -> Result<Appeal, Refusal> {
    let mut appeal: Option<Appeal> = None;
    for (i, c) in changes.iter().enumerate() {
        let at = t0() + Duration::minutes(i as i64);
        appeal = Some(Appeal::apply(appeal.as_ref(), id(), at, "test", c)?);
    }
    appeal.ok_or(Refusal::NotCaptured)
}

/// The states an appeal can be in, each with a path that reaches it.
fn states() -> Vec<(&'static str, Vec<AppealChange>)> {
    use ChangeKind as K;
    let path = |kinds: &[ChangeKind]| kinds.iter().map(|k| sample(*k)).collect::<Vec<_>>();
    vec![
        ("captured", path(&[K::Capture])),
        ("listed", path(&[K::Capture, K::List])),
        ("assigned", path(&[K::Capture, K::List, K::Assign])),
        (
            "in_progress",
            path(&[K::Capture, K::List, K::Assign, K::Acknowledge]),
        ),
        (
            "answered",
            path(&[K::Capture, K::List, K::Assign, K::Acknowledge, K::Answer]),
        ),
        (
            "closed_answered",
            path(&[
                K::Capture,
                K::List,
                K::Assign,
                K::Acknowledge,
                K::Answer,
                K::Feedback,
            ]),
        ),
        ("closed_on_spot", path(&[K::Capture, K::ResolveOnSpot])),
        ("withdrawn", path(&[K::Capture, K::List, K::Withdraw])),
    ]
}

/// The diagram of DESIGN.md, written out by hand: (state, change) → the state it leads to.
fn expected(state: &str, kind: ChangeKind) -> Option<Status> {
    use ChangeKind as K;
    use Status as S;
    match (state, kind) {
        ("captured", K::ResolveOnSpot) => Some(S::Closed),
        ("captured", K::List) => Some(S::Listed),
        ("captured", K::Withdraw) => Some(S::Withdrawn),
        ("listed", K::Assign) => Some(S::Assigned),
        ("listed", K::Note | K::Urge) => Some(S::Listed),
        ("listed", K::Withdraw) => Some(S::Withdrawn),
        ("assigned", K::Acknowledge) => Some(S::InProgress),
        ("assigned", K::Return) => Some(S::Listed),
        ("assigned", K::Reassign | K::Note | K::Escalate | K::Extend | K::Urge) => {
            Some(S::Assigned)
        }
        ("assigned", K::Withdraw) => Some(S::Withdrawn),
        ("in_progress", K::Reassign) => Some(S::Assigned),
        ("in_progress", K::Note | K::Escalate | K::Extend | K::Urge) => Some(S::InProgress),
        ("in_progress", K::Answer) => Some(S::Answered),
        ("in_progress", K::Withdraw) => Some(S::Withdrawn),
        ("answered", K::Note) => Some(S::Answered),
        ("answered", K::Feedback | K::Close) => Some(S::Closed),
        ("answered", K::Reopen) => Some(S::InProgress),
        ("answered", K::Withdraw) => Some(S::Withdrawn),
        ("closed_answered", K::Reopen) => Some(S::InProgress),
        _ => None,
    }
}

#[test]
fn every_state_times_every_change() {
    for (state, path) in states() {
        let before = fold(&path).unwrap_or_else(|r| panic!("{state}: path refused: {r:?}"));
        for kind in ChangeKind::ALL {
            let at = t0() + Duration::hours(2);
            let result = Appeal::apply(Some(&before), id(), at, "test", &sample(kind));
            match (expected(state, kind), result) {
                (Some(target), Ok(after)) => {
                    assert_eq!(after.status, target, "{state} + {kind:?}");
                    assert_eq!(after.events, before.events + 1, "{state} + {kind:?}");
                }
                (None, Err(refusal)) => {
                    let reason_ok = match (&refusal, kind) {
                        (Refusal::AlreadyCaptured, ChangeKind::Capture) => true,
                        (Refusal::CannotReopen { how }, ChangeKind::Reopen) => {
                            *how == ClosedHow::OnSpot && state == "closed_on_spot"
                        }
                        (Refusal::NotAllowed { change, status }, _) => {
                            *change == kind && *status == before.status
                        }
                        _ => false,
                    };
                    assert!(reason_ok, "{state} + {kind:?}: wrong reason {refusal:?}");
                }
                (want, got) => panic!("{state} + {kind:?}: expected {want:?}, got {got:?}"),
            }
        }
    }
}

#[test]
fn nothing_can_happen_to_an_appeal_that_was_never_captured() {
    for kind in ChangeKind::ALL {
        let result = Appeal::apply(None, id(), t0(), "test", &sample(kind));
        if kind == ChangeKind::Capture {
            assert!(result.is_ok());
        } else {
            assert_eq!(result.err(), Some(Refusal::NotCaptured), "{kind:?}");
        }
    }
}

fn in_progress() -> Appeal {
    use ChangeKind as K;
    let path: Vec<AppealChange> = [K::Capture, K::List, K::Assign, K::Acknowledge]
        .iter()
        .map(|k| sample(*k))
        .collect();
    fold(&path).unwrap_or_else(|r| panic!("{r:?}"))
}

fn apply_at(a: &Appeal, at: DateTime<FixedOffset>, c: AppealChange) -> Result<Appeal, Refusal> {
    Appeal::apply(Some(a), a.id, at, "test", &c)
}

#[test]
fn each_transition_demands_what_the_norms_demand() {
    let later = t0() + Duration::hours(3);
    let listed = fold(&[capture(), AppealChange::Listed]).unwrap_or_else(|r| panic!("{r:?}"));
    // Assign needs a steward, a lead department and a due date that is not past.
    assert_eq!(
        apply_at(&listed, later, assign(" ")).err(),
        Some(Refusal::Missing(Field::Steward))
    );
    let no_lead = AppealChange::Assigned(Assignment {
        steward: "朱洁".into(),
        lead_dept: "".into(),
        co_depts: vec![],
        due: day("2024-01-24"),
    });
    assert_eq!(
        apply_at(&listed, later, no_lead).err(),
        Some(Refusal::Missing(Field::LeadDept))
    );
    let past = AppealChange::Assigned(Assignment {
        steward: "朱洁".into(),
        lead_dept: "住建局".into(),
        co_depts: vec![],
        due: day("2024-01-09"),
    });
    assert_eq!(
        apply_at(&listed, later, past).err(),
        Some(Refusal::DueInPast {
            due: day("2024-01-09"),
            today: day("2024-01-10")
        })
    );
    // The lead department is not also a co-handling department.
    let assigned = apply_at(&listed, later, assign("朱洁")).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(assigned.co_depts, vec!["国土局".to_string()]);
    // Return needs a reason; reassigning to the same steward is refused.
    let empty_return = AppealChange::Returned {
        reason: "  ".into(),
    };
    assert_eq!(
        apply_at(&assigned, later, empty_return).err(),
        Some(Refusal::Missing(Field::Reason))
    );
    let same = AppealChange::Reassigned {
        steward: "朱洁".into(),
        lead_dept: None,
    };
    assert_eq!(
        apply_at(&assigned, later, same).err(),
        Some(Refusal::SameSteward {
            steward: "朱洁".into()
        })
    );

    let working = in_progress();
    // Extend: before the due date, to a later date, with a reason.
    let after_due = t0() + Duration::days(15); // 2024-01-25, the due date was 01-24
    assert_eq!(
        apply_at(&working, after_due, sample(ChangeKind::Extend)).err(),
        Some(Refusal::ExtendAfterDue {
            due: day("2024-01-24"),
            today: day("2024-01-25")
        })
    );
    let earlier = AppealChange::Extended {
        due: day("2024-01-20"),
        reason: "x".into(),
    };
    assert_eq!(
        apply_at(&working, later, earlier).err(),
        Some(Refusal::ExtendNotLater {
            due: day("2024-01-24"),
            requested: day("2024-01-20")
        })
    );
    let no_reason = AppealChange::Extended {
        due: day("2024-02-07"),
        reason: "".into(),
    };
    assert_eq!(
        apply_at(&working, later, no_reason).err(),
        Some(Refusal::Missing(Field::Reason))
    );
    // On the due date itself an extension is still in time.
    let on_due = t0() + Duration::days(14);
    let extended =
        apply_at(&working, on_due, sample(ChangeKind::Extend)).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(
        (extended.due, extended.extensions),
        (Some(day("2024-02-07")), 1)
    );
    // Escalation only goes up.
    let province =
        apply_at(&working, later, sample(ChangeKind::Escalate)).unwrap_or_else(|r| panic!("{r:?}"));
    let to_city = AppealChange::Escalated {
        level: Level::City,
        to: "市住建局".into(),
        note: None,
    };
    assert_eq!(
        apply_at(&province, later, to_city).err(),
        Some(Refusal::EscalateNotHigher {
            current: Level::Province,
            requested: Level::City
        })
    );
    let nobody = AppealChange::Escalated {
        level: Level::City,
        to: "".into(),
        note: None,
    };
    assert_eq!(
        apply_at(&working, later, nobody).err(),
        Some(Refusal::Missing(Field::EscalationTarget))
    );
    // Answer needs the answer text.
    let blank = AppealChange::Answered { text: "\n".into() };
    assert_eq!(
        apply_at(&working, later, blank).err(),
        Some(Refusal::Missing(Field::Answer))
    );
    // The timeline only moves forward.
    assert!(matches!(
        apply_at(&working, t0() - Duration::days(1), sample(ChangeKind::Note)),
        Err(Refusal::BeforeLastEvent { .. })
    ));
}

#[test]
fn feedback_closes_or_reopens_and_closing_needs_a_note() {
    let later = t0() + Duration::hours(3);
    let answered = apply_at(&in_progress(), later, sample(ChangeKind::Answer))
        .unwrap_or_else(|r| panic!("{r:?}"));
    for level in Satisfaction::ALL {
        let fb = AppealChange::Feedback {
            rating: level,
            comment: None,
            reopen_due: Some(day("2024-01-31")),
        };
        let after = apply_at(&answered, later, fb).unwrap_or_else(|r| panic!("{r:?}"));
        if level.score() >= 3 {
            assert_eq!(
                (after.status, after.closed_how, after.reopens),
                (Status::Closed, Some(ClosedHow::Answered), 0)
            );
        } else {
            assert_eq!(
                (after.status, after.reopens, after.due),
                (Status::InProgress, 1, Some(day("2024-01-31")))
            );
        }
        assert_eq!(after.rating, Some(level));
    }
    let unsatisfied_without_due = AppealChange::Feedback {
        rating: Satisfaction::Dissatisfied,
        comment: None,
        reopen_due: None,
    };
    assert_eq!(
        apply_at(&answered, later, unsatisfied_without_due).err(),
        Some(Refusal::Missing(Field::Due))
    );
    let silent = AppealChange::Closed { note: "".into() };
    assert_eq!(
        apply_at(&answered, later, silent).err(),
        Some(Refusal::Missing(Field::Note))
    );
    let closed =
        apply_at(&answered, later, sample(ChangeKind::Close)).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(
        (closed.rating, closed.closed_how),
        (None, Some(ClosedHow::Answered))
    );
    // Reopening a closed appeal counts as 重办 and clears the closure.
    let reopened =
        apply_at(&closed, later, sample(ChangeKind::Reopen)).unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(
        (reopened.status, reopened.reopens, reopened.closed_at),
        (Status::InProgress, 1, None)
    );
}

#[test]
fn a_refused_step_leaves_the_appeal_as_it_was() {
    // Taken a day after the states were reached: a due date on the day before is past.
    let at = t0() + Duration::days(1);
    let past = day("2024-01-10");
    let mut changes: Vec<AppealChange> = ChangeKind::ALL.iter().map(|k| sample(*k)).collect();
    changes.extend([
        AppealChange::Feedback {
            rating: Satisfaction::Dissatisfied,
            comment: Some("仍未解决".into()),
            reopen_due: None,
        },
        AppealChange::Feedback {
            rating: Satisfaction::Dissatisfied,
            comment: Some("仍未解决".into()),
            reopen_due: Some(past),
        },
        AppealChange::Reopened {
            reason: "企业反映问题未解决".into(),
            due: past,
        },
        AppealChange::Reopened {
            reason: " ".into(),
            due: day("2024-01-31"),
        },
        assign(""),
        AppealChange::Extended {
            due: past,
            reason: "等待".into(),
        },
        AppealChange::Escalated {
            level: Level::City,
            to: "".into(),
            note: None,
        },
        AppealChange::Reassigned {
            steward: "朱洁".into(),
            lead_dept: None,
        },
        AppealChange::Noted { text: "".into() },
        AppealChange::Answered { text: "".into() },
        AppealChange::Returned { reason: "".into() },
        AppealChange::Withdrawn { reason: "".into() },
        AppealChange::Closed { note: "".into() },
        AppealChange::ResolvedOnSpot { answer: "".into() },
    ]);
    let mut refused = std::collections::BTreeSet::new();
    for (state, path) in states() {
        let appeal = fold(&path).unwrap_or_else(|r| panic!("{state}: {r:?}"));
        for change in &changes {
            let mut stepped = appeal.clone();
            if let Err(why) = stepped.take_step(at, change) {
                assert_eq!(stepped, appeal, "{state}: {change:?} refused ({why:?})");
                refused.insert(
                    format!("{why:?}")
                        .split([' ', '(', '{'])
                        .next()
                        .map(String::from),
                );
            }
        }
    }
    // Refusals of every sort were met, those found after the first checks among them.
    for why in [
        "Missing",
        "DueInPast",
        "ExtendNotLater",
        "SameSteward",
        "NotAllowed",
    ] {
        assert!(
            refused.contains(&Some(why.to_string())),
            "{why}: {refused:?}"
        );
    }
}

// ----- property tests -----

fn any_change() -> impl Strategy<Value = AppealChange> {
    let kinds: Vec<ChangeKind> = ChangeKind::ALL.to_vec();
    (proptest::sample::select(kinds), 0u8..6, 1u8..=5, 0i64..40).prop_map(
        |(kind, variant, score, offset)| {
            let due = day("2024-01-10") + Duration::days(offset);
            match kind {
                ChangeKind::Assign => AppealChange::Assigned(Assignment {
                    steward: ["朱洁", "王海峰", ""][variant as usize % 3].into(),
                    lead_dept: "住建局".into(),
                    co_depts: vec![],
                    due,
                }),
                ChangeKind::Reassign => AppealChange::Reassigned {
                    steward: ["朱洁", "王海峰", "陈丽"][variant as usize % 3].into(),
                    lead_dept: None,
                },
                ChangeKind::Escalate => AppealChange::Escalated {
                    level: [Level::District, Level::City, Level::Province][variant as usize % 3],
                    to: "上级部门".into(),
                    note: None,
                },
                ChangeKind::Extend => AppealChange::Extended {
                    due,
                    reason: "等待".into(),
                },
                ChangeKind::Feedback => AppealChange::Feedback {
                    rating: Satisfaction::from_score(score).unwrap_or(Satisfaction::Basic),
                    comment: None,
                    reopen_due: (variant % 2 == 0).then_some(due),
                },
                ChangeKind::Reopen => AppealChange::Reopened {
                    reason: "未解决".into(),
                    due,
                },
                other => sample(other),
            }
        },
    )
}

fn check_invariants(a: &Appeal) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{what}: {a:?}"));
    match a.status {
        Status::Assigned | Status::InProgress
            if a.steward.is_none() || a.lead_dept.is_none() || a.due.is_none() =>
        {
            return fail("a running appeal without steward, lead or due date");
        }
        Status::Listed if a.steward.is_some() => return fail("a listed appeal with a steward"),
        Status::Answered if a.answer.is_none() => return fail("answered without an answer"),
        _ => {}
    }
    if a.status == Status::InProgress && a.acknowledged_at.is_none() {
        return fail("in progress without acknowledgement");
    }
    if a.status.is_open() != a.closed_at.is_none() {
        return fail("closed_at disagrees with the status");
    }
    match (a.status, a.closed_how) {
        (Status::Closed, Some(ClosedHow::OnSpot | ClosedHow::Answered)) => {}
        (Status::Withdrawn, Some(ClosedHow::Withdrawn)) => {}
        (s, None) if s.is_open() => {}
        _ => return fail("closed_how disagrees with the status"),
    }
    if a.closed_how == Some(ClosedHow::OnSpot) && a.steward.is_some() {
        return fail("resolved on the spot yet assigned");
    }
    if a.lead_dept.as_ref().is_some_and(|l| a.co_depts.contains(l)) {
        return fail("the lead department is also co-handling");
    }
    Ok(())
}

proptest! {
    #[test]
    fn random_sequences_fold_deterministically_into_possible_states(
        changes in proptest::collection::vec(any_change(), 0..40),
        gaps in proptest::collection::vec(0i64..3000, 40),
    ) {
        let mut appeal = Some(Appeal::apply(None, id(), t0(), "test", &capture()).map_err(|r| TestCaseError::fail(format!("{r:?}")))?);
        let mut accepted = vec![(t0(), capture())];
        let mut at = t0();
        let mut level = Level::District;
        for (change, gap) in changes.iter().zip(&gaps) {
            at += Duration::minutes(*gap);
            let current = appeal.as_ref();
            // The same step taken in place: the same appeal if taken, untouched if refused.
            let mut in_place = current.cloned();
            if let Some(a) = in_place.as_mut() {
                let taken = a.take_step(at, change);
                prop_assert_eq!(taken.is_ok(), Appeal::apply(current, id(), at, "test", change).is_ok());
                if taken.is_err() {
                    prop_assert_eq!(Some(&*a), current, "a refused step changed the appeal");
                }
            }
            match Appeal::apply(current, id(), at, "test", change) {
                Ok(next) => {
                    prop_assert_eq!(in_place.as_ref(), Some(&next));
                    prop_assert!(next.level >= level, "escalation went down");
                    level = next.level;
                    check_invariants(&next).map_err(TestCaseError::fail)?;
                    prop_assert_eq!(next.events as usize, accepted.len() + 1);
                    accepted.push((at, change.clone()));
                    appeal = Some(next);
                }
                Err(_) => {
                    // A refusal changes nothing: the same appeal is kept.
                }
            }
        }
        // Folding the accepted events again gives exactly the same appeal.
        let mut again: Option<Appeal> = None;
        for (at, change) in &accepted {
            again = Some(Appeal::apply(again.as_ref(), id(), *at, "test", change).map_err(|r| TestCaseError::fail(format!("replay refused: {r:?}")))?);
        }
        prop_assert_eq!(again, appeal);
    }
}
