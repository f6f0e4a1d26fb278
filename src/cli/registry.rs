//! The registry and the demo on the command line: meetings, stewards, enterprises.

use super::{Command, EnterpriseCmd, MeetingCmd, StewardCmd, date, output};
use crate::desk::{Desk, DeskError, EnterpriseInput};
use crate::strings::Lang;

/// Runs one registry command; returns what to print on stdout.
pub(super) fn run(desk: &mut Desk, command: Command, lang: Lang) -> Result<String, DeskError> {
    match command {
        Command::Demo { appeals: None, .. } => {
            crate::desk::demo::load(desk).map(|n| output::demo_loaded(lang, n))
        }
        Command::Demo {
            appeals: Some(n),
            seed,
            mix,
            texts,
        } => {
            let texts = crate::io::generate::load_texts(&texts);
            let started = std::time::Instant::now();
            let mix = match mix {
                super::MixArg::Backlog => crate::io::generate::Mix::Backlog,
                super::MixArg::Realistic => crate::io::generate::Mix::Realistic,
            };
            let total = crate::io::generate::generate_mix(desk, n, seed, &texts, mix, |done| {
                eprint!("\r{done}/{n}");
            })?;
            eprintln!();
            Ok(format!(
                "{}\n",
                lang.generated(n, total, started.elapsed().as_secs_f64())
            ))
        }
        Command::Meeting(MeetingCmd::Add {
            date: d,
            venue,
            host,
            depts,
        }) => {
            let m = desk.add_meeting(date(&d)?, &venue, host.as_deref(), &depts)?;
            Ok(output::meeting_added(lang, &m))
        }
        Command::Meeting(MeetingCmd::List { format }) => {
            Ok(output::meetings(lang, &desk.meetings()?, format))
        }
        Command::Steward(StewardCmd::Add {
            name,
            dept,
            phone,
            team,
        }) => {
            let s = desk.add_steward(&name, &dept, phone.as_deref(), team.as_deref())?;
            Ok(output::steward_added(lang, &s))
        }
        Command::Steward(StewardCmd::List { format }) => {
            Ok(output::stewards(lang, &desk.stewards()?, format))
        }
        Command::Enterprise(EnterpriseCmd::Add {
            name,
            credit_code,
            contact,
            phone,
            town,
            industry,
        }) => {
            let e = desk.save_enterprise(&EnterpriseInput {
                name,
                credit_code,
                contact,
                phone,
                town,
                industry,
            })?;
            Ok(output::enterprise_saved(lang, &e))
        }
        Command::Enterprise(EnterpriseCmd::List { format }) => {
            Ok(output::enterprises(lang, &desk.enterprises()?, format))
        }
        // `super::run` sends only the registry's commands here.
        _ => Ok(String::new()),
    }
}
