//! Peak memory of a process tree: the summed resident set of a process and all its
//! descendants, sampled from `/proc` while it runs.
//!
//! `/usr/bin/time -v` reports the largest single process, which is the machine's peak only when
//! one process works at a time. cargo runs one rustc per core, so with the output split into
//! crates the machine's peak is the sum of the rustc processes running together: this is what a
//! CI runner's memory limit meets.

use std::collections::HashMap;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

/// How often the tree is sampled. rustc's memory grows over seconds, so 50 ms misses little,
/// and a sample (a read of every `/proc/<pid>/stat`) costs little of one core.
pub const INTERVAL: Duration = Duration::from_millis(50);

/// Waits for `child` to exit, sampling its tree's summed RSS every [`INTERVAL`]. Returns the
/// exit status and the peak in KiB (`None` where `/proc` cannot be read, as off Linux).
pub fn wait_sampling(
    child: &mut Child,
) -> std::io::Result<(std::process::ExitStatus, Option<u64>)> {
    let root = child.id();
    let mut peak: Option<u64> = None;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, peak));
        }
        if let Some(kib) = tree_rss_kib(Path::new("/proc"), root) {
            peak = Some(peak.map_or(kib, |p| p.max(kib)));
        }
        std::thread::sleep(INTERVAL);
    }
}

/// The summed RSS (KiB) of `root` and its descendants, read from `proc` (`<pid>/stat` of every
/// process for its parent, then `<pid>/status` `VmRSS` of those in the tree). Processes that
/// exit while being read are skipped. `None` if `proc` cannot be listed.
pub fn tree_rss_kib(proc: &Path, root: u32) -> Option<u64> {
    let mut parent_of: HashMap<u32, u32> = HashMap::new();
    for entry in std::fs::read_dir(proc).ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat"));
        if let Some(ppid) = stat.ok().as_deref().and_then(parent_pid) {
            parent_of.insert(pid, ppid);
        }
    }
    let in_tree = |mut pid: u32| {
        // Bounded walk: a pid table read mid-change could in theory hold a cycle.
        for _ in 0..parent_of.len() + 1 {
            if pid == root {
                return true;
            }
            match parent_of.get(&pid) {
                Some(&ppid) if ppid != 0 => pid = ppid,
                _ => return false,
            }
        }
        false
    };
    let rss_of = |pid: u32| {
        let status = std::fs::read_to_string(proc.join(pid.to_string()).join("status"));
        vm_rss_kib(&status.ok()?)
    };
    Some(
        parent_of
            .keys()
            .filter(|&&pid| in_tree(pid))
            .filter_map(|&pid| rss_of(pid))
            .sum(),
    )
}

/// The parent pid from `/proc/<pid>/stat`: the field after the state, which follows the
/// command name in parentheses (which may itself hold spaces and parentheses).
pub fn parent_pid(stat: &str) -> Option<u32> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// `VmRSS` from `/proc/<pid>/status`, KiB. Kernel threads have none.
pub fn vm_rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stat_and_status() {
        assert_eq!(
            parent_pid("4242 (rustc (odd) name) S 4200 4242 1 0 -1"),
            Some(4200)
        );
        assert_eq!(parent_pid("garbage"), None);
        assert_eq!(
            vm_rss_kib("Name:\trustc\nVmHWM:\t  900 kB\nVmRSS:\t  812345 kB\n"),
            Some(812_345)
        );
        assert_eq!(vm_rss_kib("Name:\tkthreadd\n"), None);
    }

    #[test]
    fn sums_a_tree_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("tree-memory-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // 10 → 11 → 12, 10 → 13; 20 is unrelated; 14 has no status (exited mid-read).
        for (pid, ppid, rss) in [
            (10, 1, Some(100)),
            (11, 10, Some(20)),
            (12, 11, Some(3)),
            (13, 10, Some(400)),
            (14, 10, None),
            (20, 1, Some(5000)),
        ] {
            let p = dir.join(pid.to_string());
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join("stat"), format!("{pid} (x) S {ppid} 0 0")).unwrap();
            if let Some(rss) = rss {
                std::fs::write(p.join("status"), format!("VmRSS:\t{rss} kB\n")).unwrap();
            }
        }
        std::fs::create_dir_all(dir.join("self")).unwrap();
        assert_eq!(tree_rss_kib(&dir, 10), Some(523));
        assert_eq!(tree_rss_kib(&dir, 11), Some(23));
        assert_eq!(tree_rss_kib(&dir, 99), Some(0));
        assert_eq!(tree_rss_kib(&dir.join("missing"), 10), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
