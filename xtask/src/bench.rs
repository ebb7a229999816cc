//! `bench-compile`: what the generated crate costs to generate and to compile, measured with
//! public tools only, printed as a Markdown table (or JSON) that the README can quote.
//!
//! Every figure is the median of `--runs` runs (default 3), in the dev profile, of the crate
//! alone on already-built dependencies:
//!
//! | figure | how |
//! |---|---|
//! | regen | `cloudflare_codegen::generate(&spec)` in this process (after one untimed call; it emits and formats the group crates on every core); peak RSS is this process's `VmHWM` |
//! | spec parse | `serde_json::from_slice::<Value>(&spec)`, the reference of the regen ratio |
//! | check / build / doc | `/usr/bin/time -v cargo …`: "Elapsed (wall clock) time" and "Maximum resident set size" (the largest process); the peak of the summed RSS of cargo's process tree, sampled from `/proc` every 50 ms ([`tree_memory`](crate::tree_memory)): the machine's peak, with one rustc per core |
//! | reference check | `cargo check` of a fixed, synthetic, dependency-free crate written to `target/bench-compile/reference/`, the reference of the compile ratio |
//!
//! The subject is the facade crate `cloudflare-v4` and its group crates
//! (`cloudflare-v4-<group>`). Before each timed cargo run every one of their `src/lib.rs` is
//! touched (contents left alone), so cargo rebuilds the enabled ones and nothing else (every
//! probe runs with `CARGO_INCREMENTAL=0`, as a registry dependency is built). A run that
//! compiled anything besides them (the first one, which
//! builds the dependencies, or one after somebody changed a dependency), or that waited for
//! the build directory's lock, is discarded and taken again; before each run the command waits,
//! untimed, until no other cargo holds that lock (util-linux `flock`). Figures are taken in
//! rounds (one run of each per round), so background load touches all of them alike.
//!
//! Subjects: the workspace's `generated/` crate of the pinned spec; with `--spec FILE`, the
//! standalone crate `cargo xtask regen --spec FILE --out target/bench-compile/<name>` writes
//! (with the workspace's `Cargo.lock`, built in `target/standalone`, as `.ci/run` builds those);
//! with `--scale K`, the same for a K-times stand-in of the pinned spec made by
//! `../shared/tools/scale-spec.py`. The full form measures the workspace's crate in its own
//! target directory, `target/bench-compile/target`: on a machine shared with other builds, a
//! `cargo test` holds the shared `target/`'s lock for minutes. `--quick` uses `target/`, where
//! CI has built the dependencies already. `--target-dir` chooses another.
//!
//! **The ratio guard.** Absolute times differ between machines, so the guard compares ratios of
//! two figures taken in the same run: regen ÷ spec parse, and one-group check ÷ reference
//! check. Ratios are of CPU time (user + system: the process's `/proc/self/stat` for regen,
//! which runs on every core, and `/proc/thread-self/schedstat` for the parse; `/usr/bin/time -v`
//! for cargo), which other load on the machine moves far less than wall time.
//! The reference is a fixed synthetic crate rather than the runtime, so moving or growing the
//! runtime does not move the reference. The baseline ratios are committed in
//! `xtask/bench-baseline.json` with the date, commit and machine they were measured on, and
//! the tolerance. A ratio above `baseline × (1 + tolerance)` fails the command, naming the
//! figure; one below `baseline ÷ (1 + tolerance)` is reported as improved (update the
//! baseline). The tolerance is 50 %: on the shared 2-core machine, with other builds running
//! (load average 4), single-run ratios spread by about ±15 % (regen ÷ parse 18.7–25.6,
//! one-group ÷ reference 1.09–1.32, against ±40 % for wall-time ratios), so 50 % leaves a wide
//! margin for medians of 3, and still stops a change that makes a group 1.5× slower to check or
//! regen 1.5× slower. `--update-baseline` rewrites the file from this run (keeping its
//! tolerance). The guard applies to the committed crate and the default group only, in both
//! the quick and the full form.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

/// Where the baseline ratios live, relative to the workspace root.
pub const BASELINE_FILE: &str = "xtask/bench-baseline.json";
/// The tolerance of a new baseline file: a ratio may grow by this fraction before the guard fails.
pub const DEFAULT_TOLERANCE: f64 = 0.5;
/// The group of the one-group figure (and of the baseline's compile ratio).
pub const DEFAULT_GROUP: &str = "dns-records";
/// GNU time, for wall time and peak RSS of a process tree.
const TIME: &str = "/usr/bin/time";
/// Structs (each with an enum and an impl) in the reference crate: about 2.5 s of `cargo check`
/// on the 2-core CI machine, as long as the one-group check.
const REFERENCE_ITEMS: usize = 150;
/// Parses of the spec per sample of the parse figure.
const PARSES_PER_SAMPLE: usize = 5;

/// `cargo xtask bench-compile`: generation and compile figures of the generated crate.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Generate the crate from this spec (JSON or YAML) into `target/bench-compile/<name>/`
    /// and measure that standalone crate instead of the committed `generated/`.
    #[arg(long, conflicts_with = "scale")]
    pub spec: Option<PathBuf>,
    /// Make a K-times stand-in of the pinned spec (`../shared/tools/scale-spec.py`, into
    /// `target/bench-compile/scaled-Kx.json`) and measure the crate generated from it.
    /// Slow: K = 2 takes about 10 minutes and 5 GB.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(2..))]
    pub scale: Option<u32>,
    /// Runs of each figure; each figure is their median.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// The cheap CI form: regen and one-group check only (with their references), and the
    /// ratio guard.
    #[arg(long)]
    pub quick: bool,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// The group feature of the one-group figure.
    #[arg(long, value_name = "FEATURE", default_value = DEFAULT_GROUP)]
    pub group: String,
    /// Cargo target directory of the measured builds. Default: for the workspace's crate,
    /// `target/` with `--quick` (CI built the dependencies there already) and
    /// `target/bench-compile/target` otherwise (minutes of timed builds must not wait on other
    /// builds' lock or follow their feature switches; the first run builds the dependencies
    /// there, untimed); for `--spec`/`--scale`, `target/standalone`, as `.ci/run` builds them.
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Rewrite `xtask/bench-baseline.json` with this run's ratios instead of checking them.
    #[arg(long, conflicts_with_all = ["spec", "scale"])]
    pub update_baseline: bool,
}

/// One timed run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    pub wall_secs: f64,
    /// CPU time (user + system) of the run: the thread's for in-process figures, the process
    /// tree's for cargo. Less moved by other load than wall time; the ratios use it.
    pub cpu_secs: Option<f64>,
    /// Peak RSS of the largest process of the run, KiB (`None` for in-process figures).
    pub peak_rss_kib: Option<u64>,
    /// Peak of the summed RSS of the run's process tree, KiB: the machine's peak (`None` for
    /// in-process figures, or where `/proc` is unreadable).
    #[serde(default)]
    pub peak_tree_kib: Option<u64>,
}

/// One figure: its runs and their medians.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: &'static str,
    pub label: String,
    pub runs: Vec<Sample>,
    pub median_wall_secs: f64,
    pub median_cpu_secs: Option<f64>,
    /// Median of the runs' peak RSS, or the process peak for in-process figures, KiB.
    pub peak_rss_kib: Option<u64>,
    /// Whether `peak_rss_kib` is this (xtask) process's peak rather than a child's.
    pub in_process: bool,
    /// Median of the runs' summed process-tree peak, KiB.
    pub peak_tree_kib: Option<u64>,
}

/// One ratio and what the guard made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub id: String,
    pub label: String,
    pub value: f64,
    pub baseline: Option<f64>,
    pub limit: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Within the tolerance.
    Ok,
    /// Above `baseline × (1 + tolerance)`: the guard fails.
    Regressed,
    /// Below `baseline ÷ (1 + tolerance)`: faster than the baseline says; update it.
    Improved,
    /// No baseline to compare with (another subject or group, or no baseline file).
    Unchecked,
}

/// The committed baseline (`xtask/bench-baseline.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    #[serde(rename = "_about")]
    pub about: String,
    /// When and where the ratios were measured.
    pub measured_on: String,
    pub commit: String,
    pub machine: String,
    pub runs: u32,
    /// The group of the one-group figure.
    pub group: String,
    /// A ratio may exceed its baseline by this fraction (0.5 = 50 %).
    pub tolerance: f64,
    /// Ratio id → value.
    pub ratios: BTreeMap<String, f64>,
}

/// What was measured, where, and the result.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    /// The crate measured.
    pub subject: String,
    pub quick: bool,
    pub runs: u32,
    pub group: String,
    pub figures: Vec<Figure>,
    pub ratios: Vec<Ratio>,
    pub tolerance: Option<f64>,
    pub baseline_note: Option<String>,
}

/// The machine and toolchain, for the header.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub date: String,
    pub commit: String,
    pub nproc: String,
    pub cpu: String,
    pub memory_kib: Option<u64>,
    pub load_average: String,
    pub rustc: String,
}

impl Machine {
    fn summary(&self) -> String {
        format!(
            "{} cores, {}, {} memory, {}",
            self.nproc,
            self.cpu,
            self.memory_kib.map_or_else(|| "?".into(), format_kib),
            self.rustc
        )
    }
}

/// The crate measured and how cargo reaches it.
struct Subject {
    /// For the header.
    description: String,
    /// `None`: the workspace (cwd = root).
    manifest: Option<PathBuf>,
    target_dir: PathBuf,
    /// The generated packages: the facade and its group crates.
    packages: Vec<String>,
    /// Their `src/lib.rs`, touched before each run.
    sources: Vec<PathBuf>,
    /// The crate's `Cargo.toml` (to check the group feature exists).
    crate_manifest: PathBuf,
    spec: Vec<u8>,
    /// Whether this is the committed crate of the pinned spec (the baseline's subject).
    committed: bool,
}

/// A cargo invocation timed as one figure.
struct CargoProbe {
    args: Vec<String>,
    manifest: Option<PathBuf>,
    target_dir: PathBuf,
    /// The packages this figure is of: rebuilding them, and only them, makes a clean run.
    packages: Vec<String>,
    /// Touched before each run.
    sources: Vec<PathBuf>,
}

enum Probe {
    Generate,
    Parse,
    Cargo(CargoProbe),
}

struct Spec {
    id: &'static str,
    label: String,
    probe: Probe,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    if !Path::new(TIME).exists() {
        bail!("{TIME} is missing: install GNU time (`apt install time`)");
    }
    let machine = machine(root);
    let subject = subject(root, args)?;
    check_group(&subject.crate_manifest, &args.group)?;
    let reference = write_reference_crate(root)?;

    // The facade pulls in the enabled group crates, and its docs inline them.
    let cargo_probe = |args_: &[&str]| {
        let mut all: Vec<String> = args_.iter().map(|s| s.to_string()).collect();
        all.extend(["-p".into(), "cloudflare-v4".into()]);
        Probe::Cargo(CargoProbe {
            args: all,
            manifest: subject.manifest.clone(),
            target_dir: subject.target_dir.clone(),
            packages: subject.packages.clone(),
            sources: subject.sources.clone(),
        })
    };
    let group_args = ["--no-default-features", "--features", args.group.as_str()];
    let mut specs = vec![Spec {
        id: "regen",
        label: "regen: `cloudflare_codegen::generate` in-process".into(),
        probe: Probe::Generate,
    }];
    // The regen ratio's reference is plain JSON parsing; a YAML spec has no regen ratio.
    if serde_json::from_slice::<serde::de::IgnoredAny>(&subject.spec).is_ok() {
        specs.push(Spec {
            id: "parse",
            label: "spec parse: `serde_json::from_slice::<Value>` (reference)".into(),
            probe: Probe::Parse,
        });
    }
    if !args.quick {
        // `full` is every group: what a user who enables everything compiles. `--all-features`
        // would add the test-only `__conformance` feature (request types deserializable).
        // `full,mock` is what a user's tests compile: the typed mock, and received types
        // serializable.
        for (id, verb, extra) in [
            ("check-all", "check", &["--features", "full"][..]),
            ("check-all-mock", "check", &["--features", "full,mock"][..]),
            ("build-all", "build", &["--features", "full"][..]),
        ] {
            specs.push(Spec {
                id,
                label: format!("`cargo {verb} {}`", extra.join(" ")),
                probe: cargo_probe(&[&[verb][..], extra].concat()),
            });
        }
    }
    specs.push(Spec {
        id: "group-check",
        label: format!("one group: `cargo check {}`", group_args.join(" ")),
        probe: cargo_probe(&[&["check"][..], &group_args[..]].concat()),
    });
    if !args.quick {
        specs.push(Spec {
            id: "doc-all",
            label: "`cargo doc --features full --no-deps` (every group inlined)".into(),
            probe: cargo_probe(&["doc", "--features", "full", "--no-deps"]),
        });
    }
    specs.push(Spec {
        id: "reference-check",
        label: format!(
            "reference: `cargo check` of a synthetic crate ({REFERENCE_ITEMS} structs, no deps)"
        ),
        probe: Probe::Cargo(CargoProbe {
            args: vec!["check".into()],
            manifest: Some(reference.join("Cargo.toml")),
            target_dir: reference.join("target"),
            packages: vec!["bench-reference".into()],
            sources: vec![reference.join("src/lib.rs")],
        }),
    });

    let figures = measure(root, &subject.spec, &specs, args.runs)?;

    let baseline_path = root.join(BASELINE_FILE);
    let baseline = if baseline_path.exists() {
        let text = std::fs::read_to_string(&baseline_path)
            .with_context(|| format!("reading {}", baseline_path.display()))?;
        Some(
            serde_json::from_str::<Baseline>(&text)
                .with_context(|| format!("parsing {}", baseline_path.display()))?,
        )
    } else {
        None
    };
    let comparable = subject.committed && args.group == DEFAULT_GROUP;
    let baseline_note = match (&baseline, comparable) {
        (_, false) => Some(format!(
            "ratios not checked: the baseline is for the committed crate and group `{DEFAULT_GROUP}`"
        )),
        (None, true) => Some(format!("ratios not checked: no {BASELINE_FILE}")),
        (Some(b), true) => Some(format!(
            "baseline {BASELINE_FILE}: measured {} at {}, {} runs, on {}; tolerance +{:.0} %",
            b.measured_on,
            b.commit,
            b.runs,
            b.machine,
            b.tolerance * 100.0
        )),
    };
    let used_baseline = baseline.as_ref().filter(|_| comparable);
    let ratios = ratios(&figures, used_baseline)?;
    let report = Report {
        machine,
        subject: subject.description,
        quick: args.quick,
        runs: args.runs,
        group: args.group.clone(),
        figures,
        ratios,
        tolerance: used_baseline.map(|b| b.tolerance),
        baseline_note,
    };

    if args.json {
        crate::write_stdout(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        crate::write_stdout(&render(&report))?;
    }

    if args.update_baseline {
        let new = Baseline {
            about:
                "Ratios checked by `cargo xtask bench-compile --quick` (see xtask/src/bench.rs); \
                    rewrite with `cargo xtask bench-compile --quick --update-baseline`"
                    .into(),
            measured_on: report.machine.date.clone(),
            commit: report.machine.commit.clone(),
            machine: report.machine.summary(),
            runs: args.runs,
            group: args.group.clone(),
            tolerance: baseline.map_or(DEFAULT_TOLERANCE, |b| b.tolerance),
            ratios: report
                .ratios
                .iter()
                .map(|r| (r.id.clone(), (r.value * 1000.0).round() / 1000.0))
                .collect(),
        };
        std::fs::write(&baseline_path, serde_json::to_string_pretty(&new)? + "\n")
            .with_context(|| format!("writing {}", baseline_path.display()))?;
        eprintln!("wrote {}", baseline_path.display());
        return Ok(());
    }
    let failures = guard_failures(
        &report.ratios,
        report.tolerance.unwrap_or(DEFAULT_TOLERANCE),
    );
    if !failures.is_empty() {
        bail!(
            "compile-time guard failed:\n  {}\n(if the slowdown is intended, run `cargo xtask \
             bench-compile --quick --update-baseline` and commit {BASELINE_FILE})",
            failures.join("\n  ")
        );
    }
    Ok(())
}

/// Takes `runs` samples of every figure, one of each per round.
fn measure(root: &Path, spec: &[u8], specs: &[Spec], runs: u32) -> Result<Vec<Figure>> {
    // Untimed warm-up of the in-process figures (page faults, allocator growth).
    drop(cloudflare_codegen::generate(spec).context("generating from the spec")?);
    if specs.iter().any(|s| matches!(s.probe, Probe::Parse)) {
        drop(parse_spec(spec)?);
    }
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); specs.len()];
    for round in 1..=runs {
        for (spec_i, s) in specs.iter().enumerate() {
            eprintln!("bench-compile: round {round}/{runs}: {}", s.id);
            let sample = match &s.probe {
                Probe::Generate => in_process(CpuClock::Process, || {
                    cloudflare_codegen::generate(spec).context("generating from the spec")
                })?,
                Probe::Parse => {
                    // One parse takes ~0.1 s: the sample is the mean of several, for resolution.
                    let mut parses = Vec::with_capacity(PARSES_PER_SAMPLE);
                    for _ in 0..PARSES_PER_SAMPLE {
                        parses.push(in_process(CpuClock::Thread, || parse_spec(spec))?);
                    }
                    let n = PARSES_PER_SAMPLE as f64;
                    Sample {
                        wall_secs: parses.iter().map(|p| p.wall_secs).sum::<f64>() / n,
                        cpu_secs: parses
                            .iter()
                            .map(|p| p.cpu_secs)
                            .sum::<Option<f64>>()
                            .map(|t| t / n),
                        peak_rss_kib: None,
                        peak_tree_kib: None,
                    }
                }
                Probe::Cargo(probe) => cargo_sample(root, s.id, probe)?,
            };
            samples[spec_i].push(sample);
        }
    }
    let process_peak = process_peak_kib();
    Ok(specs
        .iter()
        .zip(samples)
        .map(|(s, runs)| {
            let in_process = !matches!(s.probe, Probe::Cargo(_));
            let peak_rss_kib = match s.probe {
                // The process's peak is the generator's: parsing alone needs far less.
                Probe::Generate => process_peak,
                Probe::Parse => None,
                Probe::Cargo(_) => median_u64(runs.iter().filter_map(|r| r.peak_rss_kib).collect()),
            };
            let peak_tree_kib = median_u64(runs.iter().filter_map(|r| r.peak_tree_kib).collect());
            Figure {
                id: s.id,
                label: s.label.clone(),
                median_wall_secs: median(runs.iter().map(|r| r.wall_secs).collect()).unwrap_or(0.0),
                median_cpu_secs: runs
                    .iter()
                    .map(|r| r.cpu_secs)
                    .collect::<Option<Vec<f64>>>()
                    .and_then(median),
                runs,
                peak_rss_kib,
                in_process,
                peak_tree_kib,
            }
        })
        .collect())
}

/// Which CPU clock an in-process figure reads.
#[derive(Clone, Copy)]
enum CpuClock {
    /// This thread's (nanoseconds): for single-threaded work.
    Thread,
    /// The whole process's, every thread included (clock ticks): for work that spawns threads,
    /// as `generate` does. Nothing else runs in this process while it is measured.
    Process,
}

/// Times `f` here: wall and CPU time; its result is dropped outside the timing.
fn in_process<T>(clock: CpuClock, f: impl FnOnce() -> Result<T>) -> Result<Sample> {
    let cpu = || match clock {
        CpuClock::Thread => thread_cpu_secs(),
        CpuClock::Process => process_cpu_secs(),
    };
    let cpu_before = cpu();
    let started = Instant::now();
    let value = f()?;
    let wall_secs = started.elapsed().as_secs_f64();
    let cpu_after = cpu();
    drop(value);
    Ok(Sample {
        wall_secs,
        cpu_secs: cpu_before.zip(cpu_after).map(|(b, a)| a - b),
        peak_rss_kib: None,
        peak_tree_kib: None,
    })
}

/// This thread's CPU time: the first field of `/proc/thread-self/schedstat` (nanoseconds on a
/// CPU). `None` where the kernel does not keep it.
fn thread_cpu_secs() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    (nanos > 0).then(|| nanos as f64 / 1e9)
}

/// This process's CPU time, every thread included: `utime + stime` of `/proc/self/stat`, in
/// clock ticks of 1/100 s (`USER_HZ`, 100 on every Linux architecture cargo targets; 10 ms is
/// under 1 % of a generation). `None` off Linux.
fn process_cpu_secs() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    process_ticks(&text).map(|ticks| ticks as f64 / 100.0)
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line.
pub fn process_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    // `rest` starts at field 3 (the state).
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn parse_spec(spec: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(spec).context("parsing the spec as JSON")
}

/// One clean timed run of a cargo probe: retried when it built other units or waited for a lock.
fn cargo_sample(root: &Path, id: &str, probe: &CargoProbe) -> Result<Sample> {
    const MAX_DISCARDS: usize = 10;
    let mut discarded = Vec::new();
    loop {
        wait_for_build_lock(&probe.target_dir);
        for source in &probe.sources {
            touch(source)?;
        }
        if probe.args.first().is_some_and(|verb| verb == "doc") {
            // rustdoc merges its cross-crate index with every crate already in `doc/`, so
            // docs left there by other builds would be part of the figure.
            let docs = probe.target_dir.join("doc");
            if docs.exists() {
                std::fs::remove_dir_all(&docs)
                    .with_context(|| format!("removing {}", docs.display()))?;
            }
        }
        let (sample, stderr) = timed_cargo(root, probe)?;
        match judge_run(&stderr, &probe.packages) {
            RunCheck::Clean => return Ok(sample),
            RunCheck::NotRebuilt => bail!(
                "`cargo {}` rebuilt none of {} after their sources were touched, so its time \
                 would not be the crate's; cargo said:\n{}",
                probe.args.join(" "),
                probe.packages.join(", "),
                tail(&stderr, 20)
            ),
            RunCheck::Discard(reason) => {
                eprintln!("bench-compile: {id}: run discarded and taken again ({reason})");
                discarded.push(reason);
                if discarded.len() >= MAX_DISCARDS {
                    bail!(
                        "{id}: {MAX_DISCARDS} runs in a row were not of the crate alone \
                         (is somebody building in the same target directory?): {}",
                        discarded.join("; ")
                    );
                }
            }
        }
    }
}

/// Waits, untimed, until no other cargo holds the build lock of `target_dir`
/// (`debug/.cargo-lock`), with util-linux `flock`. Best effort: without `flock` or a lock file,
/// a run that waits is still discarded by [`judge_run`].
fn wait_for_build_lock(target_dir: &Path) {
    let lock = target_dir.join("debug/.cargo-lock");
    if !lock.exists() {
        return;
    }
    let flock = |blocking: bool| {
        let mut cmd = Command::new("flock");
        if !blocking {
            cmd.arg("--nonblock");
        }
        cmd.arg(&lock)
            .arg("true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !flock(false) {
        eprintln!(
            "bench-compile: waiting for another build in {} to finish (untimed)",
            target_dir.display()
        );
        flock(true);
    }
}

/// Runs `/usr/bin/time -v cargo …` and returns its sample and cargo's stderr.
fn timed_cargo(root: &Path, probe: &CargoProbe) -> Result<(Sample, String)> {
    let out_dir = root.join("target/bench-compile");
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let time_file = out_dir.join("time-v.txt");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(TIME);
    cmd.arg("-v")
        .arg("-o")
        .arg(&time_file)
        .arg(&cargo)
        .args(&probe.args)
        .current_dir(root)
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_TERM_PROGRESS_WHEN", "never")
        // Every subject compiled as a dependency is: without incremental state. A standalone
        // crate (`--spec`, `--scale`) is its own workspace root, where cargo would otherwise
        // reuse incremental state across the touch-and-rebuild runs.
        .env("CARGO_INCREMENTAL", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_run) {
            cmd.env_remove(&name);
        }
    }
    if let Some(manifest) = &probe.manifest {
        cmd.arg("--manifest-path").arg(manifest);
    }
    cmd.env("CARGO_TARGET_DIR", &probe.target_dir);
    let described = format!("{TIME} -v {cargo} {}", probe.args.join(" "));
    // cargo's stderr goes to a file, so this thread is free to sample the tree's memory.
    let stderr_file = out_dir.join("cargo-stderr.txt");
    cmd.stderr(
        std::fs::File::create(&stderr_file)
            .with_context(|| format!("creating {}", stderr_file.display()))?,
    );
    let mut child = cmd
        .spawn()
        .with_context(|| format!("running {described}"))?;
    let (status, peak_tree_kib) = crate::tree_memory::wait_sampling(&mut child)
        .with_context(|| format!("waiting for {described}"))?;
    let stderr = std::fs::read_to_string(&stderr_file)
        .with_context(|| format!("reading {}", stderr_file.display()))?;
    if !status.success() {
        bail!("`{described}` failed ({status}):\n{}", tail(&stderr, 30));
    }
    let report = std::fs::read_to_string(&time_file)
        .with_context(|| format!("reading {}", time_file.display()))?;
    let mut sample = parse_time_v(&report).with_context(|| format!("reading {TIME} -v output"))?;
    sample.peak_tree_kib = peak_tree_kib;
    Ok((sample, stderr))
}

/// Whether an environment variable is one `cargo run` (hence `cargo xtask`) sets for xtask
/// itself. They must not reach the cargo runs: build scripts that watch them
/// (`rerun-if-env-changed=CARGO_MANIFEST_DIR`, as ring's does) would otherwise be rerun, and
/// rerun again by the next build from a shell, rebuilding ring, rustls and reqwest each time.
pub fn set_by_cargo_run(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_RUSTC_CURRENT_DIR"
                | "OUT_DIR"
        )
}

/// What cargo's stderr says about a run after the crate's `src/lib.rs` was touched.
#[derive(Debug, PartialEq, Eq)]
pub enum RunCheck {
    /// The crate alone was rebuilt.
    Clean,
    /// Something else was built, or cargo waited: not a figure of the crate alone.
    Discard(String),
    /// The crate was not rebuilt at all.
    NotRebuilt,
}

/// Judges cargo's stderr: `Compiling`/`Checking`/`Documenting` lines must name `packages` only
/// (at least one of them).
pub fn judge_run(stderr: &str, packages: &[String]) -> RunCheck {
    let mut others = Vec::new();
    let mut rebuilt = false;
    let mut waited = false;
    for line in stderr.lines() {
        let line = line.trim();
        if line.starts_with("Blocking waiting for file lock") {
            waited = true;
        }
        let mut words = line.split_whitespace();
        if let (Some("Compiling" | "Checking" | "Documenting"), Some(name)) =
            (words.next(), words.next())
        {
            if packages.iter().any(|p| p == name) {
                rebuilt = true;
            } else {
                others.push(name.to_owned());
            }
        }
    }
    if waited {
        RunCheck::Discard("waited for the build directory lock".into())
    } else if !others.is_empty() {
        others.dedup();
        let shown: Vec<&str> = others.iter().take(5).map(String::as_str).collect();
        RunCheck::Discard(format!(
            "it also built {} unit(s): {}{}",
            others.len(),
            shown.join(", "),
            if others.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ))
    } else if rebuilt {
        RunCheck::Clean
    } else {
        RunCheck::NotRebuilt
    }
}

/// Reads wall time and peak RSS from `/usr/bin/time -v` output.
pub fn parse_time_v(text: &str) -> Result<Sample> {
    let mut wall = None;
    let mut rss = None;
    let mut user = None;
    let mut system = None;
    for line in text.lines() {
        let line = line.trim();
        let seconds = |rest: &str| {
            rest.trim()
                .parse::<f64>()
                .with_context(|| format!("bad seconds in `{line}`"))
        };
        if let Some(rest) = line.strip_prefix("User time (seconds):") {
            user = Some(seconds(rest)?);
        } else if let Some(rest) = line.strip_prefix("System time (seconds):") {
            system = Some(seconds(rest)?);
        }
        if let Some(rest) = line.strip_prefix("Elapsed (wall clock) time") {
            let value = rest
                .rsplit_once("):")
                .map(|(_, v)| v)
                .or_else(|| rest.rsplit_once(':').map(|(_, v)| v))
                .context("no value after \"Elapsed (wall clock) time\"")?;
            wall = Some(parse_clock(value.trim())?);
        } else if let Some(rest) = line.strip_prefix("Maximum resident set size (kbytes):") {
            rss = Some(
                rest.trim()
                    .parse::<u64>()
                    .with_context(|| format!("maximum resident set size `{}`", rest.trim()))?,
            );
        }
    }
    Ok(Sample {
        wall_secs: wall.context("no \"Elapsed (wall clock) time\" line")?,
        cpu_secs: user.zip(system).map(|(u, s)| u + s),
        peak_rss_kib: Some(rss.context("no \"Maximum resident set size (kbytes)\" line")?),
        peak_tree_kib: None,
    })
}

/// `m:ss.ss` or `h:mm:ss` → seconds.
pub fn parse_clock(text: &str) -> Result<f64> {
    let parts: Vec<&str> = text.split(':').collect();
    let number = |s: &str| {
        s.parse::<f64>()
            .with_context(|| format!("bad time `{text}`"))
    };
    match parts.as_slice() {
        [m, s] => Ok(number(m)? * 60.0 + number(s)?),
        [h, m, s] => Ok(number(h)? * 3600.0 + number(m)? * 60.0 + number(s)?),
        _ => bail!("bad time `{text}` (expected m:ss.ss or h:mm:ss)"),
    }
}

/// The median (mean of the middle two for an even count); `None` when empty.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn median_u64(values: Vec<u64>) -> Option<u64> {
    median(values.into_iter().map(|v| v as f64).collect()).map(|m| m.round() as u64)
}

/// The guard's decision on one ratio.
pub fn judge_ratio(value: f64, baseline: f64, tolerance: f64) -> Verdict {
    let limit = baseline * (1.0 + tolerance);
    if value > limit {
        Verdict::Regressed
    } else if value < baseline / (1.0 + tolerance) {
        Verdict::Improved
    } else {
        Verdict::Ok
    }
}

/// The ratios of the figures, compared with the baseline if given.
fn ratios(figures: &[Figure], baseline: Option<&Baseline>) -> Result<Vec<Ratio>> {
    let find = |id: &str| figures.iter().find(|f| f.id == id);
    let mut out = Vec::new();
    for (id, label, num, den) in [
        ("regen/parse", "regen ÷ spec parse", "regen", "parse"),
        (
            "group-check/reference-check",
            "one-group check ÷ reference check",
            "group-check",
            "reference-check",
        ),
    ] {
        let (Some(num), Some(den)) = (find(num), find(den)) else {
            continue;
        };
        // CPU time where both have it: other load moves it less than wall time.
        let (n, d) = match (num.median_cpu_secs, den.median_cpu_secs) {
            (Some(n), Some(d)) => (n, d),
            _ => (num.median_wall_secs, den.median_wall_secs),
        };
        if d <= 0.0 {
            bail!("figure {} has a zero median; no ratio", den.id);
        }
        let value = n / d;
        let base = baseline.and_then(|b| b.ratios.get(id).copied().map(|v| (v, b.tolerance)));
        out.push(Ratio {
            id: id.into(),
            label: label.into(),
            value,
            baseline: base.map(|(v, _)| v),
            limit: base.map(|(v, t)| v * (1.0 + t)),
            verdict: base.map_or(Verdict::Unchecked, |(v, t)| judge_ratio(value, v, t)),
        });
    }
    Ok(out)
}

/// One message per ratio above its limit.
pub fn guard_failures(ratios: &[Ratio], tolerance: f64) -> Vec<String> {
    ratios
        .iter()
        .filter(|r| r.verdict == Verdict::Regressed)
        .map(|r| {
            format!(
                "{} ({}) is {:.3}, above the baseline {:.3} × (1 + {:.0} % tolerance) = {:.3}",
                r.label,
                r.id,
                r.value,
                r.baseline.unwrap_or(f64::NAN),
                tolerance * 100.0,
                r.limit.unwrap_or(f64::NAN)
            )
        })
        .collect()
}

/// The Markdown report.
pub fn render(report: &Report) -> String {
    let m = &report.machine;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## cargo xtask bench-compile{}\n",
        if report.quick { " --quick" } else { "" }
    );
    let _ = writeln!(out, "- date: {} (UTC), commit {}", m.date, m.commit);
    let _ = writeln!(
        out,
        "- machine: {} cores (nproc), {}, {} memory; load average at start {}",
        m.nproc,
        m.cpu,
        m.memory_kib.map_or_else(|| "?".into(), format_kib),
        m.load_average
    );
    let _ = writeln!(out, "- toolchain: {}", m.rustc);
    let _ = writeln!(out, "- crate: {}", report.subject);
    let _ = writeln!(
        out,
        "- dev profile, the facade and its group crates alone on built dependencies (every \
         `src/lib.rs` touched before each run); median of {} run{}\n",
        report.runs,
        if report.runs == 1 { "" } else { "s" }
    );
    out.push_str(
        "| figure | wall (median) | CPU (median) | peak memory (all processes) | largest process | runs (wall) |\n|---|---|---|---|---|---|\n",
    );
    for f in &report.figures {
        // In-process figures have one process: the xtask's own peak.
        let (total, largest) = match (f.peak_rss_kib, f.in_process) {
            (Some(kib), true) => (format!("{} (xtask process)", format_kib(kib)), "—".into()),
            (largest, _) => (
                f.peak_tree_kib.map_or_else(|| "—".into(), format_kib),
                largest.map_or_else(|| "—".into(), format_kib),
            ),
        };
        let runs: Vec<String> = f.runs.iter().map(|r| format_secs(r.wall_secs)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.label,
            format_secs(f.median_wall_secs),
            f.median_cpu_secs.map_or_else(|| "—".into(), format_secs),
            total,
            largest,
            runs.join(", ")
        );
    }
    out.push_str(
        "\n| ratio (of CPU times) | value | baseline | limit | verdict |\n|---|---|---|---|---|\n",
    );
    for r in &report.ratios {
        let opt = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| format!("{v:.3}"));
        let verdict = match r.verdict {
            Verdict::Ok => "ok",
            Verdict::Regressed => "**REGRESSED**",
            Verdict::Improved => "improved (update the baseline)",
            Verdict::Unchecked => "not checked",
        };
        let _ = writeln!(
            out,
            "| {} | {:.3} | {} | {} | {} |",
            r.label,
            r.value,
            opt(r.baseline),
            opt(r.limit),
            verdict
        );
    }
    if let Some(note) = &report.baseline_note {
        let _ = writeln!(out, "\n{note}");
    }
    out
}

/// `0.12 s` → `120 ms`; two decimals below 10 s, one above.
pub fn format_secs(secs: f64) -> String {
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else if secs < 10.0 {
        format!("{secs:.2} s")
    } else {
        format!("{secs:.1} s")
    }
}

/// KiB → `MiB` below 1 GiB, else `GiB` with two decimals.
pub fn format_kib(kib: u64) -> String {
    let mib = kib as f64 / 1024.0;
    if mib < 1024.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{:.2} GiB", mib / 1024.0)
    }
}

/// Sets the file's modification time to now, contents untouched.
fn touch(path: &Path) -> Result<()> {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .with_context(|| format!("touching {}", path.display()))
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The subject crate: `generated/`, or a standalone crate generated from `--spec`/`--scale`.
fn subject(root: &Path, args: &Args) -> Result<Subject> {
    let explicit_target = args
        .target_dir
        .as_deref()
        .map(std::path::absolute)
        .transpose()
        .context("resolving --target-dir")?;
    let spec_path = match (&args.spec, args.scale) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(k)) => Some(scaled_spec(root, k)?),
        (None, None) => None,
    };
    let Some(spec_path) = spec_path else {
        let spec = xtask::pin::pinned_spec(root)?;
        let crate_dir = root.join("generated");
        let (packages, sources) = generated_packages(&crate_dir)?;
        let target_dir = explicit_target.unwrap_or_else(|| {
            if args.quick {
                std::env::var_os("CARGO_TARGET_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| root.join("target"))
            } else {
                root.join("target/bench-compile/target")
            }
        });
        return Ok(Subject {
            description: format!(
                "`generated/` of the workspace, pinned spec ({} bytes), built in `{}`",
                spec.len(),
                rel(root, &target_dir)
            ),
            manifest: None,
            target_dir,
            packages,
            sources,
            crate_manifest: crate_dir.join("Cargo.toml"),
            spec,
            committed: true,
        });
    };
    let spec = std::fs::read(&spec_path)
        .with_context(|| format!("reading spec {}", spec_path.display()))?;
    let out = root
        .join("target/bench-compile")
        .join(crate_name(&spec_path));
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))?;
    }
    let exe = std::env::current_exe().context("finding the xtask executable")?;
    eprintln!(
        "bench-compile: cargo xtask regen --spec {} --out {}",
        spec_path.display(),
        out.display()
    );
    let status = Command::new(&exe)
        .arg("regen")
        .arg("--spec")
        .arg(&spec_path)
        .arg("--out")
        .arg(&out)
        .current_dir(root)
        .stdout(std::io::stderr())
        .status()
        .with_context(|| format!("running {} regen", exe.display()))?;
    if !status.success() {
        bail!(
            "`cargo xtask regen --spec {} --out {}` failed ({status})",
            spec_path.display(),
            out.display()
        );
    }
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock"))
        .context("copying Cargo.lock into the standalone crate")?;
    let target_dir = explicit_target.unwrap_or_else(|| root.join("target/standalone"));
    let (packages, sources) = generated_packages(&out)?;
    Ok(Subject {
        description: format!(
            "standalone `{}` generated from `{}` ({} bytes), built in `{}`",
            rel(root, &out),
            spec_path.display(),
            spec.len(),
            rel(root, &target_dir)
        ),
        manifest: Some(out.join("Cargo.toml")),
        target_dir,
        packages,
        sources,
        crate_manifest: out.join("Cargo.toml"),
        spec,
        committed: false,
    })
}

/// The generated packages of the facade crate at `crate_dir` (it first, then its group crates in
/// `groups/`, by directory), and their `src/lib.rs`.
fn generated_packages(crate_dir: &Path) -> Result<(Vec<String>, Vec<PathBuf>)> {
    let mut packages = vec!["cloudflare-v4".to_owned()];
    let mut sources = vec![crate_dir.join("src/lib.rs")];
    let groups = crate_dir.join("groups");
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(&groups) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("listing {}", groups.display()))?,
        Err(_) => Vec::new(),
    };
    dirs.sort();
    for dir in dirs {
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        let toml: toml::Table = text
            .parse()
            .with_context(|| format!("parsing {}", manifest.display()))?;
        let name = toml
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .with_context(|| format!("{} has no package name", manifest.display()))?;
        packages.push(name.to_owned());
        sources.push(dir.join("src/lib.rs"));
    }
    Ok((packages, sources))
}

/// `target/bench-compile/<name>`: the spec's file stem, with its directory when the stem is the
/// usual `openapi` (`2024-07-31-openapi`).
pub fn crate_name(spec: &Path) -> String {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".into());
    let name = match spec
        .parent()
        .and_then(|p| p.file_name())
        .map(|p| p.to_string_lossy())
    {
        Some(dir) if stem == "openapi" => format!("{dir}-{stem}"),
        _ => stem,
    };
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Writes the pinned spec to `target/bench-compile/pinned.json` and scales it K times.
fn scaled_spec(root: &Path, k: u32) -> Result<PathBuf> {
    let dir = root.join("target/bench-compile");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let pinned = dir.join("pinned.json");
    let bytes = xtask::pin::pinned_spec(root)?;
    if std::fs::read(&pinned).ok().as_deref() != Some(bytes.as_slice()) {
        std::fs::write(&pinned, &bytes).with_context(|| format!("writing {}", pinned.display()))?;
    }
    let script = root.join("../shared/tools/scale-spec.py");
    if !script.exists() {
        bail!(
            "{} is missing (the scale tool lives beside the project in ../shared)",
            script.display()
        );
    }
    let out = dir.join(format!("scaled-{k}x.json"));
    eprintln!(
        "bench-compile: python3 {} {} {k} {}",
        script.display(),
        pinned.display(),
        out.display()
    );
    let status = Command::new("python3")
        .arg(&script)
        .arg(&pinned)
        .arg(k.to_string())
        .arg(&out)
        .current_dir(root)
        .stdout(std::io::stderr())
        .status()
        .context("running python3 (needed by --scale; install python3)")?;
    if !status.success() {
        bail!("{} failed ({status})", script.display());
    }
    Ok(out)
}

/// Fails unless the crate has the group feature.
fn check_group(manifest: &Path, group: &str) -> Result<()> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let toml: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", manifest.display()))?;
    let has = toml
        .get("features")
        .and_then(|f| f.as_table())
        .is_some_and(|f| f.contains_key(group));
    if !has {
        bail!(
            "{} has no feature `{group}`; choose a group with `--group`",
            manifest.display()
        );
    }
    Ok(())
}

/// The source of the reference crate: fixed, so its check time measures the machine only.
pub fn reference_source(items: usize) -> String {
    let mut src = String::from(
        "//! bench-compile reference: a fixed workload for the compile-time ratio. Do not edit.\n\
         #![allow(dead_code)]\nuse std::collections::BTreeMap;\n",
    );
    for i in 0..items {
        let _ = write!(
            src,
            r#"
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Record{i} {{ pub id: u64, pub name: String, pub tags: Vec<String>, pub parent: Option<Box<Record{i}>>, pub flags: [bool; 4], pub map: BTreeMap<String, u32> }}
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind{i} {{ A(u64), B {{ name: String }}, C(Vec<Record{i}>), D }}
impl Record{i} {{
    pub fn describe(&self) -> String {{ format!("{{}}:{{}}:{{:?}}", self.id, self.name, self.tags) }}
    pub fn kind(&self) -> Kind{i} {{ match self.id % 3 {{ 0 => Kind{i}::A(self.id), 1 => Kind{i}::B {{ name: self.name.clone() }}, _ => Kind{i}::C(vec![self.clone()]) }} }}
    pub fn total(&self) -> u64 {{ self.map.values().map(|v| u64::from(*v)).chain(self.tags.iter().map(|t| t.len() as u64)).sum::<u64>() + self.id }}
}}
"#
        );
    }
    src
}

/// Writes the reference crate to `target/bench-compile/reference/` (files rewritten only when
/// they differ) and returns its directory.
fn write_reference_crate(root: &Path) -> Result<PathBuf> {
    let dir = root.join("target/bench-compile/reference");
    let manifest =
        "[package]\nname = \"bench-reference\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
                    publish = false\n\n[profile.dev]\nincremental = false\n\n[workspace]\n";
    for (rel, text) in [
        ("Cargo.toml", manifest.to_owned()),
        ("src/lib.rs", reference_source(REFERENCE_ITEMS)),
    ] {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(dir)
}

/// Machine and toolchain facts; unknown ones are `?` (they only label the report).
fn machine(root: &Path) -> Machine {
    let command = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let commit = command("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "?".into());
    let dirty = command("git", &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Machine {
        date: utc_date(SystemTime::now()),
        commit: if dirty {
            format!("{commit} (with uncommitted changes)")
        } else {
            commit
        },
        nproc: command("nproc", &[])
            .or_else(|| {
                std::thread::available_parallelism()
                    .ok()
                    .map(|n| n.to_string())
            })
            .unwrap_or_else(|| "?".into()),
        cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "?".into()),
        memory_kib: mem_total_kib(&meminfo),
        load_average: std::fs::read_to_string("/proc/loadavg")
            .ok()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| "?".into()),
        rustc: command(&rustc, &["--version"]).unwrap_or_else(|| "rustc ?".into()),
    }
}

/// The first `model name` of `/proc/cpuinfo`.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_owned())
    })
}

/// `MemTotal` of `/proc/meminfo`, KiB.
pub fn mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let rest = line.strip_prefix("MemTotal:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// This process's peak RSS (`VmHWM` of `/proc/self/status`), KiB.
fn process_peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix("VmHWM:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// `YYYY-MM-DD` of a time, UTC.
pub fn utc_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIME_V: &str = "\tCommand being timed: \"cargo check -p cloudflare-v4\"
\tUser time (seconds): 40.12
\tSystem time (seconds): 2.31
\tPercent of CPU this job got: 95%
\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:44.52
\tAverage shared text size (kbytes): 0
\tMaximum resident set size (kbytes): 2673456
\tExit status: 0
";

    #[test]
    fn parses_time_v() {
        let sample = parse_time_v(TIME_V).expect("parses");
        assert!((sample.wall_secs - 44.52).abs() < 1e-9);
        assert!((sample.cpu_secs.expect("cpu") - 42.43).abs() < 1e-9);
        assert_eq!(sample.peak_rss_kib, Some(2_673_456));
    }

    #[test]
    fn parses_long_and_failed_time_v() {
        let text = "Command exited with non-zero status 101\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\n\tMaximum resident set size (kbytes): 7\n";
        let sample = parse_time_v(text).expect("parses");
        assert!((sample.wall_secs - 3723.0).abs() < 1e-9);
        assert_eq!(sample.cpu_secs, None, "no user/system lines");
        assert_eq!(sample.peak_rss_kib, Some(7));
    }

    #[test]
    fn time_v_without_figures_is_an_error() {
        let err = parse_time_v("\tMaximum resident set size (kbytes): 7\n").unwrap_err();
        assert!(format!("{err:#}").contains("Elapsed"), "{err:#}");
        let err =
            parse_time_v("\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:01.00\n").unwrap_err();
        assert!(format!("{err:#}").contains("Maximum resident"), "{err:#}");
        assert!(parse_time_v(
            "\tElapsed (wall clock) time (h:mm:ss or m:ss): soon\n\tMaximum resident set size (kbytes): 1\n"
        )
        .is_err());
    }

    #[test]
    fn clock_formats() {
        assert!((parse_clock("0:02.41").expect("m:ss") - 2.41).abs() < 1e-9);
        assert!((parse_clock("12:00.5").expect("m:ss") - 720.5).abs() < 1e-9);
        assert!((parse_clock("1:00:01").expect("h:mm:ss") - 3601.0).abs() < 1e-9);
        assert!(parse_clock("2.41").is_err());
        assert!(parse_clock("a:b").is_err());
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0]), Some(3.0));
        assert_eq!(median(vec![5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median_u64(vec![10, 30, 20]), Some(20));
        assert_eq!(median_u64(vec![]), None);
    }

    #[test]
    fn ratio_guard_decisions() {
        assert_eq!(judge_ratio(1.0, 1.0, 0.5), Verdict::Ok);
        assert_eq!(
            judge_ratio(1.5, 1.0, 0.5),
            Verdict::Ok,
            "the limit itself passes"
        );
        assert_eq!(judge_ratio(1.51, 1.0, 0.5), Verdict::Regressed);
        assert_eq!(judge_ratio(0.7, 1.0, 0.5), Verdict::Ok);
        assert_eq!(judge_ratio(0.6, 1.0, 0.5), Verdict::Improved);
    }

    fn figure(id: &'static str, secs: f64) -> Figure {
        Figure {
            id,
            label: id.into(),
            runs: vec![Sample {
                wall_secs: secs,
                cpu_secs: Some(secs),
                peak_rss_kib: Some(1024),
                peak_tree_kib: Some(3072),
            }],
            median_wall_secs: secs,
            median_cpu_secs: Some(secs),
            peak_rss_kib: Some(1024),
            in_process: false,
            peak_tree_kib: Some(3072),
        }
    }

    fn baseline(regen: f64, group: f64) -> Baseline {
        Baseline {
            about: String::new(),
            measured_on: "2026-12-01".into(),
            commit: "abc1234".into(),
            machine: "test".into(),
            runs: 3,
            group: DEFAULT_GROUP.into(),
            tolerance: 0.5,
            ratios: BTreeMap::from([
                ("regen/parse".to_owned(), regen),
                ("group-check/reference-check".to_owned(), group),
            ]),
        }
    }

    #[test]
    fn ratios_against_a_baseline() {
        let figures = vec![
            figure("regen", 1.5),
            figure("parse", 0.1),
            figure("group-check", 4.0),
            figure("reference-check", 2.0),
        ];
        let ratios = ratios(&figures, Some(&baseline(10.0, 1.0))).expect("ratios");
        assert_eq!(ratios.len(), 2);
        assert!((ratios[0].value - 15.0).abs() < 1e-9);
        assert_eq!(ratios[0].verdict, Verdict::Ok);
        assert!((ratios[1].value - 2.0).abs() < 1e-9);
        assert_eq!(ratios[1].verdict, Verdict::Regressed);
        let failures = guard_failures(&ratios, 0.5);
        assert_eq!(failures.len(), 1);
        assert!(failures[0].contains("one-group check ÷ reference check"));
        assert!(failures[0].contains("is 2.000, above the baseline 1.000"));
        assert!(
            failures[0].contains("50 % tolerance) = 1.500"),
            "{}",
            failures[0]
        );

        let unchecked = super::ratios(&figures, None).expect("ratios");
        assert!(unchecked.iter().all(|r| r.verdict == Verdict::Unchecked));
        assert!(guard_failures(&unchecked, 0.5).is_empty());

        // Without the parse figure (a YAML spec) there is no regen ratio.
        let partial = super::ratios(&figures[2..], None).expect("ratios");
        assert_eq!(partial.len(), 1);
        assert_eq!(partial[0].id, "group-check/reference-check");
    }

    #[test]
    fn ratios_use_cpu_time_when_both_have_it() {
        let mut num = figure("group-check", 4.0);
        num.median_cpu_secs = Some(3.0);
        let mut den = figure("reference-check", 2.0);
        den.median_cpu_secs = Some(1.0);
        let r = ratios(&[num.clone(), den.clone()], None).expect("ratios");
        assert!((r[0].value - 3.0).abs() < 1e-9, "CPU: 3 / 1");
        den.median_cpu_secs = None;
        let r = ratios(&[num, den], None).expect("ratios");
        assert!((r[0].value - 2.0).abs() < 1e-9, "wall: 4 / 2");
    }

    #[test]
    fn baseline_file_round_trips() {
        let b = baseline(10.0, 1.0);
        let text = serde_json::to_string_pretty(&b).expect("serializes");
        assert_eq!(serde_json::from_str::<Baseline>(&text).expect("parses"), b);
    }

    #[test]
    fn committed_baseline_parses() {
        let path = xtask::pin::workspace_root().join(BASELINE_FILE);
        let text = std::fs::read_to_string(&path).expect("the committed baseline");
        let b: Baseline = serde_json::from_str(&text).expect("parses");
        assert!(b.tolerance > 0.0 && b.tolerance <= 1.0);
        assert_eq!(b.group, DEFAULT_GROUP);
        for id in ["regen/parse", "group-check/reference-check"] {
            assert!(b.ratios.get(id).is_some_and(|v| *v > 0.0), "{id}");
        }
    }

    #[test]
    fn reads_process_cpu_ticks() {
        let stat = "1234 (x (y) z) R 1 2 3 4 5 6 7 8 9 10 250 31 0 0 20 0 3";
        assert_eq!(process_ticks(stat), Some(281));
        assert_eq!(process_ticks("1234 (x) R 1 2"), None);
    }

    #[test]
    fn judges_cargo_output() {
        let subject = [
            "cloudflare-v4".to_owned(),
            "cloudflare-v4-dns-records".to_owned(),
        ];
        let clean =
            "   Checking cloudflare-v4 v0.1.0 (/work/main/generated)\n    Finished `dev` profile";
        assert_eq!(judge_run(clean, &subject), RunCheck::Clean);
        let deps = "   Compiling serde v1.0.0\n   Checking serde_json v1.0.0\n   Checking cloudflare-v4 v0.1.0 (/x)\n";
        match judge_run(deps, &subject) {
            RunCheck::Discard(reason) => assert!(reason.contains("serde, serde_json"), "{reason}"),
            other => panic!("{other:?}"),
        }
        let waited = "    Blocking waiting for file lock on build directory\n   Checking cloudflare-v4 v0.1.0\n";
        assert!(matches!(judge_run(waited, &subject), RunCheck::Discard(_)));
        assert_eq!(
            judge_run("    Finished `dev` profile\n", &subject),
            RunCheck::NotRebuilt
        );
        assert_eq!(
            judge_run(
                " Documenting cloudflare-v4 v0.1.0 (/x)\n   Generated /x/index.html\n",
                &subject
            ),
            RunCheck::Clean
        );
        // A package whose name starts with the subject's is another package.
        assert!(matches!(
            judge_run(
                "   Checking cloudflare-v4-runtime v0.1.0\n   Checking cloudflare-v4 v0.1.0\n",
                &subject
            ),
            RunCheck::Discard(_)
        ));
        // The facade with its group crates is one subject.
        assert_eq!(
            judge_run(
                "   Checking cloudflare-v4-dns-records v0.1.0\n   Checking cloudflare-v4 v0.1.0\n",
                &subject
            ),
            RunCheck::Clean
        );
    }

    #[test]
    fn scrubs_what_cargo_run_sets() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "OUT_DIR",
        ] {
            assert!(set_by_cargo_run(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CARGO_TERM_COLOR",
            "PATH",
        ] {
            assert!(!set_by_cargo_run(name), "{name}");
        }
    }

    #[test]
    fn renders_a_table() {
        let report = Report {
            machine: Machine {
                date: "2026-12-01".into(),
                commit: "abc1234".into(),
                nproc: "2".into(),
                cpu: "AMD EPYC".into(),
                memory_kib: Some(24_684_096),
                load_average: "0.10 0.20 0.30".into(),
                rustc: "rustc 1.95.0".into(),
            },
            subject: "`generated/`".into(),
            quick: true,
            runs: 1,
            group: DEFAULT_GROUP.into(),
            figures: vec![
                Figure {
                    in_process: true,
                    peak_rss_kib: Some(245_760),
                    peak_tree_kib: None,
                    ..figure("regen", 1.5)
                },
                figure("group-check", 2.345),
            ],
            ratios: vec![Ratio {
                id: "group-check/reference-check".into(),
                label: "one-group check ÷ reference check".into(),
                value: 2.0,
                baseline: Some(1.0),
                limit: Some(1.5),
                verdict: Verdict::Regressed,
            }],
            tolerance: Some(0.5),
            baseline_note: Some("baseline note".into()),
        };
        let text = render(&report);
        assert!(
            text.starts_with("## cargo xtask bench-compile --quick\n"),
            "{text}"
        );
        assert!(
            text.contains("2 cores (nproc), AMD EPYC, 23.54 GiB memory"),
            "{text}"
        );
        assert!(text.contains("median of 1 run\n"), "{text}");
        assert!(
            text.contains("| regen | 1.50 s | 1.50 s | 240 MiB (xtask process) | — | 1.50 s |"),
            "{text}"
        );
        assert!(
            text.contains("| group-check | 2.35 s | 2.35 s | 3 MiB | 1 MiB | 2.35 s |"),
            "{text}"
        );
        assert!(
            text.contains(
                "| one-group check ÷ reference check | 2.000 | 1.000 | 1.500 | **REGRESSED** |"
            ),
            "{text}"
        );
        assert!(text.ends_with("\nbaseline note\n"), "{text}");
    }

    #[test]
    fn formats() {
        assert_eq!(format_secs(0.1234), "123 ms");
        assert_eq!(format_secs(2.345), "2.35 s");
        assert_eq!(format_secs(44.52), "44.5 s");
        assert_eq!(format_kib(245_760), "240 MiB");
        assert_eq!(format_kib(2_673_456), "2.55 GiB");
    }

    #[test]
    fn machine_facts() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model(""), None);
        assert_eq!(
            mem_total_kib("MemTotal:       24684096 kB\nMemFree: 1 kB\n"),
            Some(24_684_096)
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
        assert_eq!(
            utc_date(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 365)),
            "1971-01-01"
        );
    }

    #[test]
    fn crate_names() {
        assert_eq!(
            crate_name(Path::new(
                "../shared/cloudflare-openapi/2024-07-31/openapi.json"
            )),
            "2024-07-31-openapi"
        );
        assert_eq!(
            crate_name(Path::new("target/bench-compile/scaled-2x.json")),
            "scaled-2x"
        );
        assert_eq!(crate_name(Path::new("a b.yaml")), "a-b");
    }

    #[test]
    fn reference_source_is_fixed() {
        let src = reference_source(2);
        assert!(src.contains("pub struct Record0 {"));
        assert!(src.contains("pub enum Kind1 {"));
        assert!(!src.contains("Record2"));
        assert_eq!(reference_source(2), src);
    }
}
