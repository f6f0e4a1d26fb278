//! `zhuqi demo --appeals N`: a large, realistic history for measurements — Chinese appeal texts
//! from the TipDM messages (or the demo's own when the data is not at hand), a spread of
//! enterprises, stewards, departments, categories and weekly meetings, and a mix of states with
//! consistent histories. Deterministic for a seed.

use std::path::Path;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone};

use crate::desk::{Desk, DeskError};
use crate::domain::{
    AppealChange, Assignment, Capture, Enterprise, Event, EventBody, Meeting, Satisfaction, Steward,
};

/// A small, fast, deterministic generator (splitmix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_add(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const TOWNS: [&str; 8] = [
    "王江泾",
    "油车港",
    "新塍",
    "王店",
    "洪合",
    "高照",
    "嘉北",
    "秀洲高新区",
];
const TRADES: [&str; 16] = [
    "纺织",
    "化纤",
    "电子",
    "机械",
    "食品",
    "物流",
    "新材料",
    "光伏",
    "印染",
    "医疗器械",
    "智能装备",
    "包装",
    "家居",
    "服饰",
    "半导体",
    "电力设备",
];
const SUFFIX: [&str; 4] = ["有限公司", "股份有限公司", "科技有限公司", "制造有限公司"];
const DEPTS: [&str; 12] = [
    "区住建局",
    "区自然资源和规划分局",
    "区发改局",
    "区经信局",
    "区商务局",
    "区科技局",
    "区人力社保局",
    "区生态环境分局",
    "区交通运输局",
    "区市场监管局",
    "区消防救援大队",
    "区金融办",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 10] = ["洁", "伟", "芳", "敏", "强", "磊", "婷", "军", "丽", "涛"];

/// Appeal texts: the subjects and first sentences of the TipDM messages in `dir`, if it is there.
pub fn load_texts(dir: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    for name in [
        "sheet3_unreplied.part1.csv",
        "sheet3_unreplied.part2.csv",
        "sheet4_replied.part1.csv",
        "sheet4_replied.part2.csv",
    ] {
        let Ok(mut r) = csv::Reader::from_path(dir.join(name)) else {
            continue;
        };
        for rec in r.records().map_while(Result::ok) {
            let subject = rec.get(2).unwrap_or("").trim();
            let body: String = rec
                .get(4)
                .unwrap_or("")
                .replace("_x000D_", "")
                .chars()
                .take(120)
                .collect();
            if !subject.is_empty() {
                texts.push(format!("{subject}\n{}", body.trim()));
            }
        }
    }
    if texts.is_empty() {
        texts = crate::desk::demo::texts()
            .iter()
            .map(|t| t.to_string())
            .collect();
    }
    texts
}

fn at(day: NaiveDate, minutes: u64) -> DateTime<FixedOffset> {
    let t = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default())
        + chrono::Duration::minutes(minutes as i64);
    FixedOffset::east_opt(8 * 3600)
        .and_then(|tz| tz.from_local_datetime(&t).single())
        .unwrap_or_else(|| t.and_utc().fixed_offset())
}

/// Adds `n` appeals (their meetings, enterprises, stewards and departments) ending today.
/// Returns how many appeals there are.
/// How much of the generated history is still open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mix {
    /// About 16% open: a district with a backlog (the stress case).
    #[default]
    Backlog,
    /// As districts really are: nearly everything older than two weeks is closed (Zhejiang's
    /// 企呼我应 closed 99.97% of 140,200 issues in 2025), so a million appeals leave a few
    /// thousand open.
    Realistic,
}

pub fn generate(
    desk: &Desk,
    n: usize,
    seed: u64,
    texts: &[String],
    progress: impl FnMut(usize),
) -> Result<usize, DeskError> {
    generate_mix(desk, n, seed, texts, Mix::Backlog, progress)
}

/// As [`generate`], with the mix of open and closed appeals given.
pub fn generate_mix(
    desk: &Desk,
    n: usize,
    seed: u64,
    texts: &[String],
    mix: Mix,
    progress: impl FnMut(usize),
) -> Result<usize, DeskError> {
    // All or nothing: a generation killed mid-way is taken out on the next open.
    desk.bulk(
        |_| false,
        || generate_all(desk, n, seed, texts, mix, progress),
    )
}

fn generate_all(
    desk: &Desk,
    n: usize,
    seed: u64,
    texts: &[String],
    mix: Mix,
    mut progress: impl FnMut(usize),
) -> Result<usize, DeskError> {
    let mut rng = Rng::new(seed);
    let today = desk.clock().today();
    let cal = desk.calendar().clone();
    let categories: Vec<(String, u32)> = desk
        .rules()
        .categories
        .iter()
        .map(|c| (c.name.clone(), c.days))
        .collect();
    let actor = "生成器".to_string();
    let ev = |at: DateTime<FixedOffset>, body: EventBody| Event {
        id: crate::ids::next(),
        at,
        actor: actor.clone(),
        body,
        desk: None,
        hub: None,
    };
    // About 150 appeals a meeting; Wednesdays back from today over at most five years (a
    // province's volume holds several meetings each Wednesday).
    let meetings_needed = (n / 150).max(4);
    let weeks = meetings_needed.min(260);
    let mut wednesday = today;
    while chrono::Datelike::weekday(&wednesday) != chrono::Weekday::Wed || wednesday >= today {
        wednesday = wednesday - Days::new(1);
    }
    let start = wednesday - Days::new(7 * weeks as u64);
    let meeting_day = |m: usize| start + Days::new(7 * (m * weeks / meetings_needed) as u64 + 7);
    let first_meeting = desk.meetings()?.iter().map(|m| m.number).max().unwrap_or(0) + 1;

    let enterprises: Vec<String> = (0..(n / 20).clamp(50, 20_000))
        .map(|i| {
            format!(
                "嘉兴{}{}{}{}",
                TOWNS[i % TOWNS.len()],
                TRADES[(i / 8) % TRADES.len()],
                i / 128 + 1,
                SUFFIX[i % SUFFIX.len()]
            )
        })
        .collect();
    let stewards: Vec<(String, &str)> = (0..40)
        .map(|i| {
            (
                format!(
                    "{}{}{}",
                    SURNAMES[i % 12],
                    GIVEN[(i / 12 + i) % 10],
                    if i >= 12 { GIVEN[i % 10] } else { "" }
                ),
                DEPTS[i % DEPTS.len()],
            )
        })
        .collect();

    // The registry first, in one command.
    let t0 = at(start, 0);
    let mut registry: Vec<Event> = Vec::new();
    for d in DEPTS {
        if !desk.has_department(d)? {
            registry.push(ev(
                t0,
                EventBody::DepartmentAdded {
                    name: d.to_string(),
                },
            ));
        }
    }
    for (name, dept) in &stewards {
        if !desk.has_steward(name)? {
            registry.push(ev(
                t0,
                EventBody::StewardSaved(Steward {
                    name: name.clone(),
                    dept: dept.to_string(),
                    phone: None,
                    team: None,
                }),
            ));
        }
    }
    for e in &enterprises {
        if !desk.has_enterprise(e)? {
            registry.push(ev(t0, EventBody::EnterpriseSaved(Enterprise::named(e))));
        }
    }
    for m in 0..meetings_needed {
        let date = meeting_day(m);
        registry.push(ev(
            at(date, 0),
            EventBody::MeetingAdded(Meeting {
                number: first_meeting + m as u64,
                date,
                venue: format!(
                    "{}企业服务中心{}",
                    TOWNS[m % TOWNS.len()],
                    m / TOWNS.len() + 1
                ),
                host: Some("李斌".into()),
                depts: DEPTS[..4].iter().map(|d| d.to_string()).collect(),
            }),
        ));
    }
    desk.append_commands(vec![registry])?;

    let mut batch: Vec<Vec<Event>> = Vec::with_capacity(BATCH);
    for i in 0..n {
        if batch.len() >= BATCH {
            desk.append_commands(std::mem::take(&mut batch))?;
            progress(i);
        }
        let m = (i * meetings_needed) / n.max(1);
        let day = meeting_day(m);
        let captured = at(day, 30 + (i % 120) as u64);
        let (category, days) = rng.pick(&categories).clone();
        let text = rng.pick(texts).clone();
        let enterprise = rng.pick(&enterprises).clone();
        let (steward, dept) = rng.pick(&stewards).clone();
        let id = crate::ids::next();
        let a = |at, change| ev(at, EventBody::Appeal { appeal: id, change });
        let mut events = vec![a(
            captured,
            AppealChange::Captured(Capture {
                number: 0,
                external_id: None,
                enterprise,
                category,
                text,
                contact: None,
                meeting: Some(first_meeting + m as u64),
                departments: vec![dept.to_string()],
                day_only: Default::default(),
            }),
        )];
        // Old appeals are nearly all closed by now; what is open is mostly recent.
        let age = (today - day).num_days();
        let roll = match (mix, rng.below(100)) {
            (Mix::Backlog, r) if age > 90 && (10..33).contains(&r) && rng.below(50) != 0 => 33 + r,
            (Mix::Realistic, r) if age > 14 && (10..33).contains(&r) && rng.below(3000) != 0 => {
                33 + r
            }
            (_, r) => r,
        };
        if roll < 10 {
            events.push(a(
                captured,
                AppealChange::ResolvedOnSpot {
                    answer: "相关部门现场答复，企业认可".into(),
                },
            ));
            batch.push(events);
            continue;
        }
        events.push(a(captured, AppealChange::Listed));
        if roll < 13 {
            batch.push(events);
            continue;
        }
        let assigned = captured + chrono::Duration::hours(2);
        let due = cal.add_working_days(day, days);
        events.push(a(
            assigned,
            AppealChange::Assigned(Assignment {
                steward,
                lead_dept: dept.to_string(),
                co_depts: vec![],
                due,
            }),
        ));
        if roll < 14 {
            events.push(a(
                assigned,
                AppealChange::Withdrawn {
                    reason: "企业已自行解决".into(),
                },
            ));
            batch.push(events);
            continue;
        }
        let acked_day = cal.add_working_days(day, 1);
        if roll < 17 || acked_day > today {
            batch.push(events);
            continue;
        }
        events.push(a(at(acked_day, 10), AppealChange::Acknowledged));
        // Most are answered within their limit; some late; some not yet.
        let take = 1 + rng.below(u64::from(days) + 6) as u32;
        let answered_day = cal.add_working_days(day, take);
        if roll < 27 || answered_day > today {
            if rng.below(3) == 0 {
                events.push(a(
                    at(acked_day, 300),
                    AppealChange::Noted {
                        text: "已与企业对接，正在协调".into(),
                    },
                ));
            }
            batch.push(events);
            continue;
        }
        events.push(a(
            at(answered_day, 420),
            AppealChange::Answered {
                text: "已按政策办理完毕，并书面告知企业".into(),
            },
        ));
        let feedback_day = cal.add_working_days(answered_day, 1);
        if roll < 30 || feedback_day > today {
            batch.push(events);
            continue;
        }
        let rating = match rng.below(20) {
            0 => Satisfaction::Basic,
            1..=7 => Satisfaction::Satisfied,
            _ => Satisfaction::VerySatisfied,
        };
        if roll < 33 {
            events.push(a(
                at(feedback_day, 60),
                AppealChange::Closed {
                    note: "企业电话无人接听".into(),
                },
            ));
        } else {
            events.push(a(
                at(feedback_day, 60),
                AppealChange::Feedback {
                    rating,
                    comment: None,
                    reopen_due: None,
                },
            ));
        }
        batch.push(events);
    }
    if !batch.is_empty() {
        desk.append_commands(batch)?;
    }
    progress(n);
    Ok(desk.appeal_count() as usize)
}

/// Appeals written in one transaction.
const BATCH: usize = 5_000;
