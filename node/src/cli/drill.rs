//! `liandong drill start|end|review`: 演练 and 总结评估.
//!
//! While a drill runs, every domain command takes `--drill <id>` to write
//! into it (status Exercise); boards take it to show the drill's views. The
//! review is computed from the ledger, for a drill or for a real incident.

use std::path::Path;

use clap::{Args, Subcommand};
use liandong_protocol::domain::fold::{Review, review};

use super::CliError;
use super::domain::{Common, Lang, ViewOptions, execute, session};
use super::output;
use crate::cli::who::Who;
use crate::clock;
use crate::datadir::DataDir;
use crate::domain::Action;
use crate::domain::actions::drill::{EndInput, StartInput};
use crate::domain::ids::{self, INCIDENT};

#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// Start a drill; prints the drill id / 开始演练
    Start(StartArgs),
    /// End a drill / 结束演练
    End(EndArgs),
    /// After-action review of a drill (--drill) or an incident (--incident) / 总结评估
    Review(ReviewArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub input: StartInput,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EndArgs {
    /// The drill: id or prefix / 演练编号
    #[arg(long)]
    pub drill: String,
    #[command(flatten)]
    pub input: EndInput,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// A real incident to review instead of a drill / 评估的事件
    #[arg(long)]
    pub incident: Option<String>,
    /// zh or en / 语言
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: Lang,
    #[command(flatten)]
    pub common: ViewOptions,
}

pub fn run(
    data_dir: &DataDir,
    dev_roles: Option<&Path>,
    who: &Who,
    cmd: DrillCommand,
) -> Result<(), CliError> {
    match cmd {
        DrillCommand::Start(a) => {
            let common = Common {
                drill: None,
                restrict_to: None,
                json: a.json,
            };
            let written = execute(
                data_dir,
                dev_roles,
                who,
                &common,
                Action::DrillStart(a.input),
            )?;
            if !a.json {
                println!(
                    "  写入演练条目时请加 / write drill entries with: --drill {}",
                    written.entry.id.get(..8).unwrap_or(&written.entry.id)
                );
            }
            Ok(())
        }
        DrillCommand::End(a) => {
            let common = Common {
                drill: Some(a.drill),
                restrict_to: None,
                json: a.json,
            };
            execute(data_dir, dev_roles, who, &common, Action::DrillEnd(a.input)).map(drop)
        }
        DrillCommand::Review(a) => {
            if a.incident.is_none() && a.common.drill.is_none() {
                return Err(CliError::Usage(
                    "review what? give --drill <id> or --incident <id> / 请指定 --drill 或 --incident".into(),
                ));
            }
            let views = session::load_views(data_dir, dev_roles, &a.common.as_common())?;
            let incident = a
                .incident
                .as_deref()
                .map(|i| {
                    ids::resolve(
                        i,
                        views.incidents.iter().map(|v| v.id),
                        INCIDENT,
                        "incident",
                    )
                })
                .transpose()
                .map_err(session::action_error)?;
            let r = review(&views, incident);
            if a.common.json {
                output::print_json(&r);
            } else {
                print_review(&r, a.lang);
            }
            Ok(())
        }
    }
}

fn print_review(r: &Review, l: Lang) {
    let time = |ms: u64| clock::format_ms(ms);
    let dur = |ms: Option<u64>| ms.map_or("—".to_string(), |m| l.duration(m));
    println!("{}", l.t("== 总结评估 ==", "== After-action review =="));
    let rows: Vec<Vec<String>> = r
        .incidents
        .iter()
        .map(|i| {
            vec![
                i.id.short(),
                i.title.clone(),
                time(i.occurred_ms),
                format!(
                    "{} / {} {}",
                    l.duration(i.first_report_latency_ms),
                    l.duration(i.first_report_deadline_ms),
                    if i.first_report_on_time {
                        l.t("按时", "on time")
                    } else {
                        l.t("迟报", "late")
                    }
                ),
                i.reports.to_string(),
                i.late_updates.to_string(),
                dur(i.report_to_response_ms),
                i.highest_level.map_or("—".into(), |v| l.response(v)),
                dur(i.duration_ms),
            ]
        })
        .collect();
    let header = [
        l.t("编号", "id"),
        l.t("事件", "incident"),
        l.t("发生", "occurred"),
        l.t("首报用时/时限", "first report / deadline"),
        l.t("报告数", "reports"),
        l.t("续报超时", "late updates"),
        l.t("报告至响应", "report→response"),
        l.t("最高响应", "highest level"),
        l.t("处置历时", "duration"),
    ];
    output::print_table(&header, &rows);
    let t = &r.tasks;
    println!(
        "{} {} · {} {}/{} · {} {} · {} {} · {} {} · {} {}/{}/{}",
        l.t("指令", "tasks"),
        t.tasks,
        l.t("签收", "acknowledged"),
        t.acknowledged,
        t.assignments,
        l.t("完成", "done"),
        t.done,
        l.t("拒绝", "refused"),
        t.refused,
        l.t("超期完成", "done late"),
        t.done_late,
        l.t("签收用时 最短/中位/最长", "ack time min/median/max"),
        dur(t.ack_latency.min_ms),
        dur(t.ack_latency.median_ms),
        dur(t.ack_latency.max_ms),
    );
    let res = &r.resources;
    println!(
        "{} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
        l.t("资源需求", "requests"),
        res.requests,
        l.t("承诺", "commits"),
        res.commits,
        l.t("足额", "filled"),
        res.filled,
        l.t("已交付", "delivered"),
        res.delivered,
        l.t("首次承诺用时（中位）", "time to first commit (median)"),
        dur(res.time_to_first_commit.median_ms),
        l.t("超额承诺", "over-commits"),
        res.over_commits,
    );
    println!(
        "{} {} · {} {}",
        l.t("冲突", "conflicts"),
        r.conflicts,
        l.t("无效条目", "invalid entries"),
        r.invalid
    );
    println!("{}", l.t("-- 时间线 --", "-- timeline --"));
    for e in &r.timeline {
        let entered = e
            .entered_by
            .as_ref()
            .map(|op| format!("  {}", l.entered_by(op)))
            .unwrap_or_default();
        let line = format!(
            "{}  {}  {}{entered}",
            time(e.at_ms),
            e.by,
            l.t(&e.zh, &e.en)
        );
        println!("{}", output::terminal_safe(&line));
    }
}
