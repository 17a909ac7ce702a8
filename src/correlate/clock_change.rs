//! DST changes of devvm's zone seen in a journal whose times carry no UTC offset.
//!
//! `short`, `short-precise`, `short-full` and `with-unit` times are devvm's local clock, read
//! in `--tz`. When devvm's zone changes to or from summer time and `--tz` has no change at that
//! instant, the local clock jumps. At the spring-forward it jumps ahead, which shows as a
//! silence of one hour plus the usual line spacing. At the fall-back it steps back. Read in
//! `--tz`, the spring-forward looks exactly like devvm freezing for an hour. The jump is recognised by its size and its
//! instant: some zone of the tz database changes its offset between the two lines by the size
//! of the jump, so reading both lines in that zone leaves no silence.
//!
//! Size and instant alone also fit a journal that was simply quiet for that hour, which a
//! sparse journal (an export of t3's units, a `grep t3`) often is. Three things show a real
//! change. The local time steps back at a fall-back, which no silence does. A dispatch socket
//! open across the jump has a `dur_ms` (a duration, which no clock change moves) that matches
//! its logged open only once the shift is taken out. The sockets on the two sides join Traefik
//! at offsets that differ by the shift. A socket whose `dur_ms` matches without the shift, or
//! sockets that join Traefik at one offset on both sides, show that the clock did not move.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{TZ_VARIANTS, Tz};

use std::collections::HashMap;
use std::net::IpAddr;

use super::coverage::Span;
use super::sockets::Socket;
use crate::event::{Event, EventKind, Origin, Source};
use crate::time::{MILLI, REGIONS, SECOND, Zone, has_region};

/// Zone names grouped by their UTC offsets before and after a DST change, in seconds.
pub type ZoneGroups = Vec<((i32, i32), Vec<&'static str>)>;

/// A jump of a journal's local clock by a DST change that `--tz` does not have there.
#[derive(Clone, Debug)]
pub struct ClockChange {
    /// The line after the jump, in file order: the journal line that ends the silence, or in a
    /// newest-first export the one that starts it.
    pub origin: Origin,
    /// The times of that line and of the journal line before it in file order, on the
    /// cluster clock as read in `--tz`, earlier first.
    pub from: i64,
    pub to: i64,
    /// The two lines' local times as printed, in file order.
    pub local_before: NaiveDateTime,
    pub local_after: NaiveDateTime,
    /// How far devvm's clock moved, in microseconds: positive for the change to summer time.
    pub shift: i64,
    /// The zones whose offsets change between the two lines by the jump, grouped by their UTC
    /// offsets before and after the change, in seconds. Names are tz database names that start
    /// with a region (`Europe/London`), in the order [`display_order`] gives.
    pub zones: ZoneGroups,
    /// `--tz`, which the times were read in.
    pub read_in: Zone,
    /// The evidence that shows the jump to be a clock change rather than a silence.
    pub basis: Basis,
    /// Set when the journal is sparse and only the size and instant of the silence point to a
    /// change: such a journal may just have been quiet for that hour.
    pub may_be_quiet_hour: bool,
}

/// The evidence that a jump is devvm's clock changing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The local time steps back, which a silence never does.
    StepBack,
    /// A dispatch socket open across the jump lasted, by its `dur_ms`, the shift less than its
    /// logged open and close lie apart.
    OpenSocket,
    /// The dispatch sockets before the jump join Traefik at one offset, and those after it at
    /// that offset plus the shift.
    TraefikPairs,
    /// Only a silence of the change's size at a zone's DST instant.
    Silence,
}

/// The judgement that the sockets open across a silence, or their Traefik pairs, give about a
/// clock change there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// No evidence either way.
    Unknown,
    /// The clock did not move there.
    Refuted,
    /// The clock moved by the shift there.
    Confirmed,
}

/// The smallest jump looked at: DST changes are 30 minutes (Australia/Lord_Howe) to 2 hours
/// (Antarctica/Troll), so a smaller one is not a DST change even with the line spacing added.
const MIN_JUMP: i64 = 20 * 60 * SECOND;
/// The largest jump looked at, with room for a line spacing after a 2 hour change.
const MAX_JUMP: i64 = 2 * 3600 * SECOND + 10 * 60 * SECOND;
/// The largest silence that may be left once a zone's change is taken out of the jump.
///
/// NOTE: a journal whose lines come further apart than this around the change is not
/// recognised, so its silence still reads as a freeze.
const MAX_REST: i64 = 10 * 60 * SECOND;

/// The dispatch sockets on the cluster clock, the Traefik sockets and the join between them
/// at the clock offset in use: the evidence that separates a clock change from a silence.
pub struct Pairing<'a> {
    pub dispatch: &'a [Socket],
    pub traefik: &'a [Socket],
    /// For each dispatch socket, the index of its Traefik socket.
    pub joined_to: &'a [Option<usize>],
    /// The join's tolerance, ±, also used to match a `ws close` minus `dur_ms` with its open.
    pub tolerance: i64,
    /// Clock offsets (devvm minus cluster) of whole half hours at which many dispatch sockets
    /// start from their Traefik lines: the zone hints of the offset measurement.
    pub zone_offsets: &'a [i64],
}

/// Finds the DST jumps among the journal silences of `events`, whose journal times are on the
/// cluster clock, `offset` (devvm minus cluster) away from their reading in `zone` (`--tz`).
/// A jump that the dispatch sockets open across it or `pairing` refute is left out.
pub fn find(
    events: &[Event],
    offset: i64,
    zone: Zone,
    journal: Option<&Span>,
    pairing: &Pairing,
) -> Vec<ClockChange> {
    let Some(journal) = journal else {
        return Vec::new();
    };
    // What is left of the jump must not be a gap itself. A sparse journal is silent between
    // most of its lines, so there it must be about one usual spacing.
    let rest_max = if journal.dense {
        journal.gap_threshold
    } else {
        journal.spacing.saturating_mul(2)
    }
    .min(MAX_REST);
    events
        .iter()
        .filter(|event| event.source == Source::Journal)
        .filter_map(|event| {
            let EventKind::JournalSilence { seconds, after } = event.kind else {
                return None;
            };
            let step = seconds.saturating_mul(SECOND);
            if !(MIN_JUMP..=MAX_JUMP).contains(&step) || !reads_local_clock(&event.text) {
                return None;
            }
            // The parser measures the step of a `short` line between local times, before they
            // are read in --tz, and that of any other line between instants.
            let this = event.time + offset;
            let signed = if after { step } else { -step };
            let local_after = local_time(this, zone)?;
            let local_before = if crate::parse::journal::has_no_year(event.text.as_bytes()) {
                local_after - chrono::Duration::microseconds(signed)
            } else {
                local_time(this - signed, zone)?
            };
            // A jump that --tz itself has is read right already.
            if let Zone::Named(tz) = zone
                && closest_reading(tz, local_before, local_after).is_some_and(|(b, a)| {
                    (a.timestamp_micros() - b.timestamp_micros()).abs() <= rest_max
                })
            {
                return None;
            }
            let before = this - signed;
            let (shift, zones) = zones_explaining(local_before, local_after, rest_max)?;
            let (from, to) = (before.min(this) - offset, before.max(this) - offset);
            // Only at a spring-forward do all lines before the jump lie before all lines after
            // it in the --tz reading, so that a socket's open and close lie on either side.
            let step_back = shift < 0;
            let durations = if step_back {
                Verdict::Unknown
            } else {
                judge_by_durations(events, pairing.tolerance, from, to, shift)
            };
            if durations == Verdict::Refuted || pairs_refute_change(pairing, from, to) {
                return None;
            }
            let basis = if step_back {
                Basis::StepBack
            } else if durations == Verdict::Confirmed {
                Basis::OpenSocket
            } else if pairs_confirm_change(pairing, offset, from, to, shift) {
                Basis::TraefikPairs
            } else {
                Basis::Silence
            };
            Some(ClockChange {
                origin: event.origin,
                from,
                to,
                local_before,
                local_after,
                shift,
                zones,
                read_in: zone,
                basis,
                may_be_quiet_hour: basis == Basis::Silence && !journal.dense,
            })
        })
        .collect()
}

/// The open time that a `ws close` after a silence points to.
struct ExpectedOpen {
    /// The close's number among the closes looked at.
    close: usize,
    /// Its time minus `dur_ms`: the open when the clock did not move.
    still: i64,
    /// That time less the shift: the open when the clock moved by the shift.
    moved: i64,
}

/// Judges a silence from `from` to `to` (cluster clock) that a clock change of `shift` would
/// explain, by the dispatch sockets open across it. A `ws close` after the silence minus its
/// `dur_ms` gives the socket's open. When a `ws open` of that user and client before the
/// silence lies there, the clock did not move. When it lies `shift` earlier, the clock moved
/// by `shift`. The sockets that show either are counted, and the larger count wins.
fn judge_by_durations(events: &[Event], tolerance: i64, from: i64, to: i64, shift: i64) -> Verdict {
    // The opens each close after the silence points to, by user and client.
    let mut expected: HashMap<(&str, Option<IpAddr>), Vec<ExpectedOpen>> = HashMap::new();
    let mut closes = 0;
    for event in events.iter().filter(|e| e.source == Source::Journal) {
        let EventKind::WsClose {
            user,
            client,
            dur_ms,
            ..
        } = &event.kind
        else {
            continue;
        };
        let still = event.time - i64::try_from(*dur_ms).unwrap_or(i64::MAX / MILLI) * MILLI;
        let moved = still - shift;
        if event.time < to || moved > from + tolerance {
            continue;
        }
        expected
            .entry((user, *client))
            .or_default()
            .push(ExpectedOpen {
                close: closes,
                still,
                moved,
            });
        closes += 1;
    }
    if closes == 0 {
        return Verdict::Unknown;
    }

    let mut still_open = vec![false; closes];
    let mut moved_open = vec![false; closes];
    for event in events.iter().filter(|e| e.source == Source::Journal) {
        let EventKind::WsOpen { user, client } = &event.kind else {
            continue;
        };
        if event.time > from {
            continue;
        }
        let Some(list) = expected.get(&(&**user, *client)) else {
            continue;
        };
        for expected in list {
            still_open[expected.close] |= (event.time - expected.still).abs() <= tolerance;
            moved_open[expected.close] |= (event.time - expected.moved).abs() <= tolerance;
        }
    }
    let still = still_open.iter().filter(|&&matched| matched).count();
    let moved = moved_open.iter().filter(|&&matched| matched).count();
    match still.cmp(&moved) {
        std::cmp::Ordering::Greater => Verdict::Refuted,
        std::cmp::Ordering::Less => Verdict::Confirmed,
        std::cmp::Ordering::Equal => Verdict::Unknown,
    }
}

/// Returns the dispatch sockets before a silence from `from` to `to` (cluster clock) and
/// those after it that Traefik could have logged: closed (Traefik writes its line at the
/// close) and started while Traefik logged. Returns `None` without Traefik.
fn loggable_sides(pairing: &Pairing, from: i64, to: i64) -> Option<(Vec<usize>, Vec<usize>)> {
    let first = pairing.traefik.iter().map(|s| s.start).min()?;
    let last = pairing
        .traefik
        .iter()
        .map(|s| s.start)
        .max()
        .unwrap_or(first);
    let loggable = |i: &usize| {
        let socket = &pairing.dispatch[*i];
        socket.end.is_some() && (first..=last).contains(&socket.start)
    };
    let before: Vec<usize> = (0..pairing.dispatch.len())
        .filter(|&i| pairing.dispatch[i].start < from)
        .filter(loggable)
        .collect();
    let after: Vec<usize> = (0..pairing.dispatch.len())
        .filter(|&i| pairing.dispatch[i].start > to)
        .filter(loggable)
        .collect();
    Some((before, after))
}

/// Tells whether `joined` of `total` sockets is a majority.
fn is_majority(joined: usize, total: usize) -> bool {
    2 * joined > total
}

/// Tells whether the dispatch sockets on both sides of a silence from `from` to `to` (cluster
/// clock) join Traefik at the offset in use, so the clock did not move there. A misread change
/// would put every socket on one side off its Traefik line. Without Traefik, or without a
/// socket on one side that Traefik could have logged, the pairs cannot tell.
fn pairs_refute_change(pairing: &Pairing, from: i64, to: i64) -> bool {
    let Some((before, after)) = loggable_sides(pairing, from, to) else {
        return false;
    };
    // With no socket on one side, the offset in use came from the other side alone, so it
    // fits either reading.
    if before.is_empty() || after.is_empty() {
        return false;
    }

    let joined = |i: usize| pairing.joined_to.get(i).copied().flatten().is_some();
    let (before_loggable, after_loggable) = (before.len(), after.len());
    let before_joined = before.iter().filter(|&&i| joined(i)).count();
    let after_joined = after.iter().filter(|&&i| joined(i)).count();

    // When most sockets before the jump join, the offset in use fits the times there. The
    // sockets after it join too (a majority, or as large a share as before), so the clock did
    // not move.
    let after_fits = after_joined > 0
        && (is_majority(after_joined, after_loggable)
            || after_joined * before_loggable >= before_joined * after_loggable);
    is_majority(before_joined, before_loggable) && after_fits
}

/// Tells whether most dispatch sockets before a silence from `from` to `to` (cluster clock)
/// join Traefik at one offset and most after it at that offset plus `shift`, as a change of
/// devvm's clock by `shift` there leaves them. The offsets tried are the one in use
/// (`offset`), it less `shift`, and the zone hints.
fn pairs_confirm_change(pairing: &Pairing, offset: i64, from: i64, to: i64, shift: i64) -> bool {
    let Some((before, after)) = loggable_sides(pairing, from, to) else {
        return false;
    };
    if before.is_empty() || after.is_empty() {
        return false;
    }
    // The dispatch sockets are on the cluster clock already, so each offset is tried as its
    // difference from the one in use.
    let joins_at = |side: &[usize], extra: i64| {
        let sockets: Vec<Socket> = side.iter().map(|&i| pairing.dispatch[i].clone()).collect();
        let joined = super::join::join(&sockets, pairing.traefik, extra, pairing.tolerance);
        is_majority(joined.iter().flatten().count(), sockets.len())
    };
    let mut extras = vec![0, -shift];
    extras.extend(pairing.zone_offsets.iter().map(|hint| hint - offset));
    extras.sort_unstable();
    extras.dedup();
    extras
        .into_iter()
        .any(|extra| joins_at(&before, extra) && joins_at(&after, extra + shift))
}

/// Tells whether a journal line's time is read in `--tz`: a `short` or `short-precise` time
/// (`Mar 29 00:59:55`), a `short-full` or `with-unit` time whose zone is not UTC, or an ISO
/// time without an offset. Times with their offset or in epoch seconds are the same anywhere.
fn reads_local_clock(line: &str) -> bool {
    let bytes = line.as_bytes();
    if crate::parse::journal::has_no_year(bytes) {
        return true;
    }
    // `Sun 2026-03-29 02:00:00 BST `: the zone is the word after the time.
    if bytes.get(3) == Some(&b' ') && bytes.get(8) == Some(&b'-') {
        let zone = line.get(23..).and_then(|rest| {
            let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
            rest.trim_start().split(' ').next()
        });
        return !matches!(zone, Some("UTC" | "GMT" | "Z"));
    }
    bytes.get(4) == Some(&b'-') && !crate::parse::journal::starts_with_offset_time(bytes)
}

/// Returns the local time of an instant in `zone`.
fn local_time(micros: i64, zone: Zone) -> Option<NaiveDateTime> {
    let utc = DateTime::from_timestamp_micros(micros)?;
    Some(match zone {
        Zone::Utc => utc.naive_utc(),
        Zone::Named(tz) => utc.with_timezone(&tz).naive_local(),
    })
}

/// Returns the instants a local time means in `tz`: none when the zone skips it.
fn instants(tz: Tz, local: NaiveDateTime) -> Vec<DateTime<Tz>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t],
        LocalResult::Ambiguous(earlier, later) => vec![earlier, later],
        LocalResult::None => Vec::new(),
    }
}

/// Returns the instants of two local times in `tz` that lie closest together, or `None` when
/// the zone skips either time.
fn closest_reading(
    tz: Tz,
    before: NaiveDateTime,
    after: NaiveDateTime,
) -> Option<(DateTime<Tz>, DateTime<Tz>)> {
    instants(tz, before)
        .into_iter()
        .flat_map(|b| instants(tz, after).into_iter().map(move |a| (b, a)))
        .min_by_key(|(b, a)| (a.timestamp_micros() - b.timestamp_micros()).abs())
}

/// Returns the shift of devvm's clock and the zones, grouped by offsets, in which the two
/// local times lie at most `rest_max` apart although their zone offset changed between them.
/// Returns `None` when no zone does.
fn zones_explaining(
    before: NaiveDateTime,
    after: NaiveDateTime,
    rest_max: i64,
) -> Option<(i64, ZoneGroups)> {
    let mut groups: ZoneGroups = Vec::new();
    let mut shift = 0;
    for &tz in TZ_VARIANTS.iter() {
        if !has_region(tz.name()) {
            continue;
        }
        let Some((b, a)) = closest_reading(tz, before, after) else {
            continue;
        };
        if (a.timestamp_micros() - b.timestamp_micros()).abs() > rest_max {
            continue;
        }
        let (earlier, later) = if a < b { (a, b) } else { (b, a) };
        let offsets = (
            earlier.offset().fix().local_minus_utc(),
            later.offset().fix().local_minus_utc(),
        );
        if offsets.0 == offsets.1 {
            continue;
        }
        shift = i64::from(offsets.1 - offsets.0) * SECOND;
        match groups.iter_mut().find(|(key, _)| *key == offsets) {
            Some((_, names)) => names.push(tz.name()),
            None => groups.push((offsets, vec![tz.name()])),
        }
    }
    for (_, names) in &mut groups {
        names.sort_by_key(|name| display_order(name));
    }
    groups.sort_by_key(|(_, names)| display_order(names[0]));
    (!groups.is_empty()).then_some((shift, groups))
}

/// Returns a zone name's sort key: its region's place in [`REGIONS`], then the name.
fn display_order(name: &str) -> (usize, &str) {
    let region = REGIONS
        .iter()
        .position(|region| name.starts_with(region))
        .unwrap_or(REGIONS.len());
    (region, name)
}

impl ClockChange {
    /// Describes the jump for a warning about input `name`, with the fix.
    pub fn warning(&self, name: &str) -> String {
        let tz_name = match self.read_in {
            Zone::Utc => "UTC",
            Zone::Named(tz) => tz.name(),
        };
        let direction = if self.shift > 0 { "forward" } else { "back" };
        let jump = format!(
            "{name}:{}: the journal's local time jumps from {} to {} at this line",
            self.origin.line(),
            self.local_before.format("%b %d %H:%M:%S"),
            self.local_after.format("%b %d %H:%M:%S"),
        );
        let shift = format_shift(self.shift);
        let zones = format_zone_groups(&self.zones);
        if self.may_be_quiet_hour {
            return format!(
                "{jump}. A DST change of devvm's zone that --tz {tz_name} does not have there \
                 (its clock going {direction} by {shift}) would leave this jump, but so would a \
                 quiet hour: the journal is sparse, and no dispatch socket open across the jump \
                 or joined to Traefik shows the change. If devvm's zone is one that changes then, \
                 set --tz to it (`timedatectl show -p Timezone --value` on devvm prints it); \
                 zones that change then: {zones}"
            );
        }
        format!(
            "{jump}, which is a DST change of devvm's zone (its clock went {direction} by \
             {shift}) that --tz {tz_name} does not have there. So the times on one side of it \
             are read in the wrong offset, and a silence there is no freeze. Set --tz to \
             devvm's zone (`timedatectl show -p Timezone --value` on devvm prints it); zones \
             that change then: {zones}"
        )
    }
}

/// Lists zone groups for a warning: `Europe/Berlin, Europe/Paris (UTC+1 to UTC+2); ...`.
pub fn format_zone_groups(zones: &ZoneGroups) -> String {
    // One group of offsets is listed whole, since each of its names reads the times right.
    // Of several, a few names each show the offsets to tell them apart.
    let per_group = if zones.len() == 1 { 12 } else { 3 };
    let groups: Vec<String> = zones
        .iter()
        .take(3)
        .map(|((before, after), names)| {
            let shown = names.iter().take(per_group).copied().collect::<Vec<_>>();
            let shown = shown.join(", ");
            let more = match names.len().saturating_sub(per_group) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            format!(
                "{shown}{more} ({} to {})",
                format_offset(*before),
                format_offset(*after)
            )
        })
        .collect();
    let more_groups = match zones.len().saturating_sub(3) {
        0 => String::new(),
        n => format!(", and zones of {n} other offsets"),
    };
    format!("{}{more_groups}", groups.join("; "))
}

/// Returns the zones whose UTC offset is `before` at `lo` and `after` at `hi` (seconds east
/// of UTC, instants in UTC microseconds), as one group. Also returns the instant of their
/// change when they all change at the same one.
pub fn zones_changing_between(
    lo: i64,
    hi: i64,
    before: i32,
    after: i32,
) -> (Option<i64>, ZoneGroups) {
    let offset_at = |tz: Tz, micros: i64| {
        DateTime::from_timestamp_micros(micros).map(|utc| {
            tz.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc()
        })
    };
    let mut names = Vec::new();
    let mut instants = Vec::new();
    for &tz in TZ_VARIANTS.iter() {
        if !has_region(tz.name())
            || offset_at(tz, lo) != Some(before)
            || offset_at(tz, hi) != Some(after)
        {
            continue;
        }
        names.push(tz.name());
        // The first second at which the zone has its later offset.
        let (mut earlier, mut later) = (lo, hi);
        while later - earlier > SECOND {
            let middle = earlier + (later - earlier) / 2;
            if offset_at(tz, middle) == Some(before) {
                earlier = middle;
            } else {
                later = middle;
            }
        }
        instants.push(later.div_euclid(SECOND) * SECOND);
    }
    if names.is_empty() {
        return (None, Vec::new());
    }
    names.sort_by_key(|name| display_order(name));
    instants.sort_unstable();
    instants.dedup();
    let instant = (instants.len() == 1).then(|| instants[0]);
    (instant, vec![((before, after), names)])
}

/// Tells whether some zone of the tz database (of the regions in [`REGIONS`]) changes its UTC
/// offset by `shift` in either direction between the instants `lo` and `hi` (UTC microseconds,
/// either order). Two groups of sockets that join Traefik at offsets `shift` apart are the two
/// sides of a DST change only if some zone has one there.
pub fn some_zone_shifts_between(lo: i64, hi: i64, shift: i64) -> bool {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    let offset_at = |tz: Tz, micros: i64| {
        DateTime::from_timestamp_micros(micros).map(|utc| {
            i64::from(
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc(),
            ) * SECOND
        })
    };
    TZ_VARIANTS.iter().any(|&tz| {
        has_region(tz.name())
            && matches!(
                (offset_at(tz, lo), offset_at(tz, hi)),
                (Some(before), Some(after)) if (after - before).abs() == shift.abs()
            )
    })
}

/// Formats a UTC offset in seconds as `UTC+1`, `UTC-4` or `UTC+5:30`.
fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    if minutes == 0 {
        format!("UTC{sign}{hours}")
    } else {
        format!("UTC{sign}{hours}:{minutes:02}")
    }
}

/// Formats the size of a clock shift as `1 h` or `30 min`.
pub fn format_shift(micros: i64) -> String {
    let minutes = micros.abs() / (60 * SECOND);
    if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    /// A zone and the shift of its clock, in seconds.
    type Expected = Option<(&'static str, i64)>;

    /// Local times of two neighbouring lines, in file order, and a zone that must explain the
    /// jump between them with the shift it gives, or `None` when no zone may.
    const CASES: &[(&str, &str, Expected)] = &[
        // Spring-forward in time order and newest first.
        (
            "2026-03-29 00:59:55",
            "2026-03-29 02:00:00",
            Some(("Europe/London", 3600)),
        ),
        (
            "2026-03-29 02:00:00",
            "2026-03-29 00:59:55",
            Some(("Europe/London", 3600)),
        ),
        (
            "2026-03-08 01:59:58",
            "2026-03-08 03:00:00",
            Some(("America/New_York", 3600)),
        ),
        // Fall-back in time order and newest first.
        (
            "2026-10-25 01:59:55",
            "2026-10-25 01:00:00",
            Some(("Europe/London", -3600)),
        ),
        (
            "2026-10-25 02:00:00",
            "2026-10-25 02:59:55",
            Some(("Europe/Berlin", -3600)),
        ),
        // Lord Howe Island changes by 30 minutes.
        (
            "2026-10-04 01:59:50",
            "2026-10-04 02:30:00",
            Some(("Australia/Lord_Howe", 1800)),
        ),
        // A silence of one hour on a day without a change, and one at a DST instant that
        // lasts longer than the change.
        ("2026-06-10 12:00:00", "2026-06-10 13:00:05", None),
        ("2026-03-29 00:59:55", "2026-03-29 02:20:00", None),
    ];

    #[test]
    fn jumps_explained_by_zones() {
        for &(before, after, expected) in CASES {
            let found = zones_explaining(local(before), local(after), 60 * SECOND);
            let Some((zone, shift)) = expected else {
                assert!(found.is_none(), "{before} -> {after}: {found:?}");
                continue;
            };
            let (found_shift, groups) =
                found.unwrap_or_else(|| panic!("{before} -> {after}: no zone"));
            assert_eq!(found_shift, shift * SECOND, "{before} -> {after}");
            let names: Vec<&str> = groups.iter().flat_map(|(_, n)| n.iter().copied()).collect();
            assert!(names.contains(&zone), "{before} -> {after}: {names:?}");
        }
    }

    /// Builds a `ws open` at `open_s` and a `ws close` at `close_s` with `dur_ms`, of one user
    /// and client, as journal events.
    fn socket_lines(open_s: i64, close_s: i64, dur_ms: u64) -> Vec<Event> {
        let client = Some("203.0.113.7".parse().unwrap());
        let event = |time_s: i64, kind: EventKind| Event {
            time: time_s * SECOND,
            precision: crate::time::Precision::Second,
            source: Source::Journal,
            origin: Origin::new(0, time_s as u64),
            pod: None,
            kind,
            text: "".into(),
            estimated: false,
            host: None,
        };
        vec![
            event(
                open_s,
                EventKind::WsOpen {
                    user: "alice".into(),
                    client,
                },
            ),
            event(
                close_s,
                EventKind::WsClose {
                    user: "alice".into(),
                    client,
                    dur_ms,
                    cause: crate::event::CloseCause::Graceful,
                },
            ),
        ]
    }

    #[test]
    fn durations_across_silence() {
        // A silence from 1000 s to 4610 s, which a change of one hour would explain.
        let (from, to, shift) = (1000 * SECOND, 4610 * SECOND, 3600 * SECOND);
        let cases = [
            // Open at 990 s, close at 4620 s: lasted as logged, or an hour less.
            (socket_lines(990, 4620, 3_630_000), Verdict::Refuted),
            (socket_lines(990, 4620, 30_000), Verdict::Confirmed),
            (socket_lines(990, 4621, 30_500), Verdict::Confirmed),
            // Neither reading fits, or the socket lies on one side of the silence.
            (socket_lines(990, 4620, 600_000), Verdict::Unknown),
            (socket_lines(900, 990, 90_000), Verdict::Unknown),
            (socket_lines(4615, 4620, 5_000), Verdict::Unknown),
        ];
        for (events, expected) in cases {
            let verdict = judge_by_durations(&events, 2 * SECOND, from, to, shift);
            assert_eq!(verdict, expected, "{events:?}");
        }

        // One socket of each kind: no evidence either way.
        let mut both = socket_lines(990, 4620, 3_630_000);
        both.extend(socket_lines(980, 4630, 50_000));
        assert_eq!(
            judge_by_durations(&both, 2 * SECOND, from, to, shift),
            Verdict::Unknown
        );
    }

    #[test]
    fn local_clock_line_shapes() {
        let cases = [
            ("Mar 29 02:00:00 devvm sshd[1]: x", true),
            ("Mar 29 02:00:00.123456 devvm sshd[1]: x", true),
            ("Sun 2026-03-29 02:00:00 BST devvm ssh.service[1]: x", true),
            (
                "Sun 2026-03-29 02:00:00.123456 BST devvm ssh.service[1]: x",
                true,
            ),
            ("Sun 2026-03-29 02:00:00 UTC devvm ssh.service[1]: x", false),
            ("2026-03-29T02:00:00+01:00 devvm sshd[1]: x", false),
            ("2026-03-29T02:00:00.123456+0100 devvm sshd[1]: x", false),
            ("1774746000.123456 devvm sshd[1]: x", false),
        ];
        for (line, expected) in cases {
            assert_eq!(reads_local_clock(line), expected, "{line}");
        }
    }
}
