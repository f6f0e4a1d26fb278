//! The demo story: the Xiuzhou airport meeting of the source story (ARCHITECTURE.md), then four more Wednesday meetings
//! whose appeals stand in every state of the lifecycle as of today — some closed on the spot,
//! some on the list, some overdue (red), some due within days (yellow), some reopened.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Weekday};

use super::{Action, CaptureInput, Clock, Desk, DeskError, Due, EnterpriseInput};
use crate::domain::{Level, Satisfaction};

const STEWARDS: [(&str, &str, &str); 8] = [
    ("朱洁", "区住建局", "审批服务管家团"),
    ("王海峰", "区自然资源和规划分局", "要素保障管家团"),
    ("陈丽", "区经信局", "企业服务管家团"),
    ("张伟", "区人力社保局", "人才服务管家团"),
    ("刘洋", "国网秀洲供电公司", "要素保障管家团"),
    ("周敏", "区生态环境分局", "企业服务管家团"),
    ("吴强", "区交通运输局", "要素保障管家团"),
    ("孙婷", "区科技局", "创新服务管家团"),
];

/// (enterprise, town/park, category, appeal, steward index)
const APPEALS: [(&str, &str, &str, &str, usize); 30] = [
    (
        "嘉兴佳利电子有限公司",
        "秀洲高新区",
        "用地",
        "二期厂房用地指标尚未落实，希望加快土地出让进度",
        1,
    ),
    (
        "浙江新凤鸣集团股份有限公司",
        "洪合镇",
        "环保",
        "新建生产线环评批复周期较长，请求提前介入指导",
        5,
    ),
    (
        "嘉兴敏惠汽车零部件有限公司",
        "王江泾镇",
        "人才用工",
        "技术工人招聘困难，希望组织专场招聘会",
        3,
    ),
    (
        "秀洲光伏科技有限公司",
        "秀洲高新区",
        "水电气",
        "屋顶分布式光伏并网验收排期慢",
        4,
    ),
    (
        "嘉兴市油车港物流有限公司",
        "油车港镇",
        "交通物流",
        "园区道路限高影响货车通行，请求调整",
        6,
    ),
    (
        "浙江闻达新材料有限公司",
        "新塍镇",
        "审批",
        "新厂房施工许可材料多次补正，请求一次性告知",
        0,
    ),
    (
        "嘉兴天盛纺织有限公司",
        "王店镇",
        "融资",
        "技改项目贷款审批慢，希望对接政策性银行",
        2,
    ),
    (
        "嘉兴智芯半导体有限公司",
        "秀洲高新区",
        "科技创新",
        "申报省级研发中心需要指导",
        7,
    ),
    (
        "秀洲区新塍丝绸有限公司",
        "新塍镇",
        "政策",
        "外贸企业出口信保补贴政策不清楚",
        2,
    ),
    (
        "嘉兴禾润食品有限公司",
        "王江泾镇",
        "消防",
        "冷库改造消防验收标准不明确",
        0,
    ),
    (
        "浙江秀洲现代农业发展有限公司",
        "油车港镇",
        "用地",
        "设施农业用地备案遇到困难",
        1,
    ),
    (
        "嘉兴市恒创电力设备有限公司",
        "王店镇",
        "水电气",
        "新增变压器增容申请排期长",
        4,
    ),
    (
        "嘉兴博远智能装备有限公司",
        "秀洲高新区",
        "人才用工",
        "高层次人才子女入学需要协调",
        3,
    ),
    (
        "嘉兴港华燃气秀洲分公司",
        "洪合镇",
        "水电气",
        "天然气管道接入需跨越河道，审批多头",
        4,
    ),
    (
        "嘉兴锦程印染有限公司",
        "王江泾镇",
        "环保",
        "污水纳管排放指标需要核定",
        5,
    ),
    (
        "浙江华星新能源有限公司",
        "秀洲高新区",
        "审批",
        "储能项目备案流程咨询",
        0,
    ),
    (
        "嘉兴市亿联包装有限公司",
        "新塍镇",
        "交通物流",
        "厂区门口公交站点影响大车进出",
        6,
    ),
    (
        "嘉兴恒瑞医疗器械有限公司",
        "秀洲高新区",
        "科技创新",
        "二类医疗器械注册检验排队时间长",
        7,
    ),
    (
        "嘉兴市金禾米业有限公司",
        "油车港镇",
        "融资",
        "粮食收购季流动资金紧张",
        2,
    ),
    (
        "嘉兴维斯特家居有限公司",
        "洪合镇",
        "消防",
        "仓库消防设施改造方案需要审核",
        0,
    ),
    (
        "嘉兴秀湖酒店管理有限公司",
        "秀洲高新区",
        "政策",
        "文旅消费券政策适用范围咨询",
        2,
    ),
    (
        "嘉兴宏达精密机械有限公司",
        "王店镇",
        "规划",
        "厂区内新建连廊规划许可咨询",
        1,
    ),
    (
        "嘉兴绿源再生资源有限公司",
        "王江泾镇",
        "环保",
        "危废转移联单办理慢",
        5,
    ),
    (
        "嘉兴数联科技有限公司",
        "秀洲高新区",
        "人才用工",
        "申请人才公寓房源",
        3,
    ),
    (
        "嘉兴市顺丰速运秀洲分部",
        "油车港镇",
        "交通物流",
        "货车夜间通行证办理",
        6,
    ),
    (
        "嘉兴美联服饰有限公司",
        "洪合镇",
        "其他",
        "厂区周边路灯损坏影响夜班职工安全",
        2,
    ),
    (
        "嘉兴鑫泰化纤有限公司",
        "王江泾镇",
        "审批",
        "技改项目节能审查意见何时出具",
        0,
    ),
    (
        "嘉兴一鸣食品有限公司",
        "新塍镇",
        "规划",
        "厂房加层是否需要重新办理规划许可",
        1,
    ),
    (
        "嘉兴聚力新材料有限公司",
        "秀洲高新区",
        "科技创新",
        "高新技术企业认定材料辅导",
        7,
    ),
    (
        "嘉兴市秀水印刷有限公司",
        "王店镇",
        "融资",
        "申请贷款贴息需要哪些材料",
        2,
    ),
];

/// The demo's appeal texts (for the generator, when the TipDM data is not at hand).
pub fn texts() -> Vec<&'static str> {
    APPEALS.iter().map(|a| a.3).collect()
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    let t = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    chrono::Local
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| t.and_utc().fixed_offset())
}

/// The last Wednesday strictly before `today`.
fn last_wednesday(today: NaiveDate) -> NaiveDate {
    let mut d = today - Days::new(1);
    while d.weekday() != Weekday::Wed {
        d = d - Days::new(1);
    }
    d
}

/// Fills an empty store with the story; returns how many appeals it holds.
pub fn load(desk: &mut Desk) -> Result<usize, DeskError> {
    if !desk.is_empty() {
        return Err(DeskError::DemoNeedsEmpty);
    }
    let real_clock = desk.clock();
    let real_actor = desk.actor().to_string();
    // All or nothing: a story cut short by a kill is taken out on the next open.
    desk.begin_bulk()?;
    let result = tell(desk, real_clock.today());
    desk.set_clock(real_clock);
    desk.set_actor(&real_actor);
    match &result {
        Ok(_) => desk.end_bulk()?,
        Err(_) => desk.abandon_bulk(),
    }
    result
}

fn tell(desk: &mut Desk, today: NaiveDate) -> Result<usize, DeskError> {
    let cal = desk.calendar().clone();
    let wd = |from: NaiveDate, k: u32| cal.add_working_days(from, k);
    let latest = last_wednesday(today);
    let meetings: Vec<NaiveDate> = (0..5u64)
        .rev()
        .map(|w| latest - Days::new(14 * w))
        .collect();

    desk.set_clock(Clock::fixed(at(meetings[0] - Days::new(2), 9, 0)));
    desk.set_actor("李斌");
    for (name, dept, team) in STEWARDS {
        desk.add_steward(name, dept, None, Some(team))?;
    }
    desk.save_enterprise(&EnterpriseInput {
        name: "浙江圆通航空投资发展有限公司".into(),
        contact: Some("宋敏生".into()),
        town: Some("嘉兴机场".into()),
        industry: Some("航空物流".into()),
        ..EnterpriseInput::default()
    })?;
    for (i, (name, town, ..)) in APPEALS.iter().enumerate() {
        if APPEALS[..i].iter().all(|a| a.0 != *name) {
            desk.save_enterprise(&EnterpriseInput {
                name: (*name).into(),
                town: Some((*town).into()),
                ..EnterpriseInput::default()
            })?;
        }
    }

    // The airport meeting: the fire-safety approval goes to the province.
    let first = meetings[0];
    desk.set_clock(Clock::fixed(at(first, 9, 0)));
    let depts: Vec<String> = [
        "区住建局",
        "区自然资源和规划分局",
        "区消防救援大队",
        "区发改局",
    ]
    .map(String::from)
    .to_vec();
    let airport = desk.add_meeting(first, "嘉兴机场建设工地", Some("李斌"), &depts)?;
    desk.set_clock(Clock::fixed(at(first, 9, 40)));
    let fire = desk.capture(&CaptureInput {
        enterprise: "浙江圆通航空投资发展有限公司".into(),
        category: "消防".into(),
        text: "空港物流园区特殊消防审批进度慢，影响园区建设".into(),
        contact: Some("宋敏生".into()),
        meeting: Some(airport.number),
        departments: vec!["区住建局".into(), "区自然资源和规划分局".into()],
        resolved: None,
    })?;
    desk.set_clock(Clock::fixed(at(first, 10, 5)));
    desk.capture(&CaptureInput {
        enterprise: "浙江圆通航空投资发展有限公司".into(),
        category: "水电气".into(),
        text: "施工临时用电报装需要加急".into(),
        contact: Some("宋敏生".into()),
        meeting: Some(airport.number),
        departments: vec!["国网秀洲供电公司".into()],
        resolved: Some("供电公司现场受理，三日内接电".into()),
    })?;
    let n = fire.number.to_string();
    let steps: Vec<(DateTime<FixedOffset>, &str, Action)> = vec![
        (
            at(first, 11, 0),
            "李斌",
            Action::Assign {
                steward: "朱洁".into(),
                lead: "区住建局".into(),
                co: vec!["区自然资源和规划分局".into()],
                due: Due::WorkingDays(10),
            },
        ),
        (at(wd(first, 1), 9, 10), "朱洁", Action::Acknowledge),
        (
            at(wd(first, 1), 15, 0),
            "朱洁",
            Action::Note {
                text: "住建、国土现场踏勘完毕，确定由区政府向省级部门提交审批".into(),
            },
        ),
        (
            at(wd(first, 2), 10, 0),
            "朱洁",
            Action::Escalate {
                level: Level::Province,
                to: "省住房和城乡建设厅".into(),
                note: Some("特殊消防设计技术审查".into()),
            },
        ),
        (
            at(wd(first, 8), 16, 0),
            "朱洁",
            Action::Answer {
                text: "省住建厅已组织专家评审，特殊消防设计审查意见已出具".into(),
            },
        ),
        (
            at(wd(first, 9), 10, 0),
            "李斌",
            Action::Feedback {
                rating: Satisfaction::VerySatisfied,
                comment: Some("进展有消息第一时间告知，很满意".into()),
            },
        ),
    ];
    for (when, who, action) in steps {
        desk.set_clock(Clock::fixed(when));
        desk.set_actor(who);
        desk.act(&n, action)?;
    }

    // Four more meetings; each appeal is left in one state of the lifecycle.
    let venues = [
        "秀洲高新区管委会",
        "王江泾镇政府",
        "油车港镇企业服务中心",
        "洪合镇毛衫城",
    ];
    let mut count = 2;
    for (m, (day, venue)) in meetings[1..].iter().zip(venues).enumerate() {
        desk.set_actor("李斌");
        desk.set_clock(Clock::fixed(at(*day, 9, 0)));
        let meeting = desk.add_meeting(*day, venue, Some("李斌"), &depts)?;
        for (k, (enterprise, _, category, text, s)) in APPEALS.iter().enumerate() {
            if k % 4 != m {
                continue;
            }
            count += 1;
            let (steward, dept, _) = STEWARDS[*s];
            let outcome = k % 10;
            desk.set_actor("李斌");
            desk.set_clock(Clock::fixed(at(*day, 9, 30 + k as u32)));
            let appeal = desk.capture(&CaptureInput {
                enterprise: (*enterprise).into(),
                category: (*category).into(),
                text: (*text).into(),
                meeting: Some(meeting.number),
                departments: vec![dept.into()],
                resolved: (outcome == 0).then(|| "相关部门现场答复，企业认可".into()),
                ..CaptureInput::default()
            })?;
            if outcome <= 1 {
                continue; // resolved on the spot, or still waiting on the list
            }
            let n = appeal.number.to_string();
            // Yellow: due a working day from today; red: due long ago; otherwise the category's limit.
            let due = match outcome {
                3 if m == 3 => Due::Date(wd(today, 1)),
                4 => Due::WorkingDays(3),
                _ => Due::CategoryDefault,
            };
            let mut plan: Vec<(NaiveDate, &str, Action)> = vec![(
                *day,
                "李斌",
                Action::Assign {
                    steward: steward.into(),
                    lead: dept.into(),
                    co: Vec::new(),
                    due,
                },
            )];
            if outcome >= 3 {
                plan.push((wd(*day, 1), steward, Action::Acknowledge));
                plan.push((
                    wd(*day, 2),
                    steward,
                    Action::Note {
                        text: "已与企业对接，正在协调相关科室".into(),
                    },
                ));
            }
            if outcome == 4 && m < 3 {
                plan.push((
                    wd(*day, 5),
                    "李斌",
                    Action::Urge {
                        note: Some("已超期，请加快办理".into()),
                    },
                ));
            }
            if outcome >= 5 && outcome != 9 {
                plan.push((
                    wd(*day, 4),
                    steward,
                    Action::Answer {
                        text: "已按政策办理完毕，并书面告知企业".into(),
                    },
                ));
            }
            match outcome {
                6 => plan.push((
                    wd(*day, 5),
                    "李斌",
                    Action::Feedback {
                        rating: Satisfaction::Satisfied,
                        comment: None,
                    },
                )),
                7 => plan.push((
                    wd(*day, 5),
                    "李斌",
                    Action::Feedback {
                        rating: Satisfaction::Basic,
                        comment: Some("希望后续跟进".into()),
                    },
                )),
                8 => plan.push((
                    wd(*day, 5),
                    "李斌",
                    Action::Feedback {
                        rating: Satisfaction::Dissatisfied,
                        comment: Some("问题没有真正解决".into()),
                    },
                )),
                9 => plan.push((
                    wd(*day, 3),
                    "李斌",
                    Action::Withdraw {
                        reason: "企业已自行解决".into(),
                    },
                )),
                _ => {}
            }
            for (step, (when, who, action)) in plan.into_iter().enumerate() {
                // Steps after today are not told: the story stops at today.
                if when >= today && step > 0 {
                    break;
                }
                desk.set_actor(who);
                desk.set_clock(Clock::fixed(at(when, 10 + step as u32, 0)));
                desk.act(&n, action)?;
            }
        }
    }
    Ok(count)
}
