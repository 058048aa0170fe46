//! What `ui.timezone = "local"` means, found once at start-up, at the edge: the model shows
//! times in the zone it is given and never reads the machine's clock or zone itself.

use crate::model::format::Zone;

use super::paths::Environment;

/// The machine's zone, as the C library would take it:
/// - `TZ` set: the IANA zone it names (`Europe/Berlin`, `:Europe/Berlin`, or a file under a
///   `zoneinfo/` folder); empty means UTC; anything else (a POSIX rule such as `CET-1CEST`,
///   which chrono-tz cannot name) falls to the offset below;
/// - `TZ` unset: the system's zone setting, by name (`/etc/localtime`'s link on Linux, the
///   system preference on macOS);
/// - no name found: the machine's offset from UTC now, as a fixed offset. It is taken here, once,
///   so it does not follow a daylight-saving change while the program runs; the header then
///   names it (`UTC+01:00`), so the operator can see it is an offset and not a zone.
pub fn local_zone(env: &impl Environment) -> Zone {
    match env.var("TZ") {
        Some(tz) => tz_zone(&tz.to_string_lossy()),
        None => env
            .system_zone()
            .and_then(|name| name.parse::<chrono_tz::Tz>().ok())
            .map(Zone::Named),
    }
    .unwrap_or_else(|| Zone::Fixed(env.local_offset()))
}

/// The zone a `TZ` value names, as the C library reads it: `Europe/Berlin`, `:Europe/Berlin`,
/// or a file under a `zoneinfo/` folder; empty means UTC. `None` for what chrono-tz cannot name
/// (a POSIX rule such as `CET-1CEST`). Also what an SSH client's `TZ` means in a served room.
#[must_use]
pub fn tz_zone(tz: &str) -> Option<Zone> {
    let name = tz.strip_prefix(':').unwrap_or(tz).trim();
    if name.is_empty() {
        return Some(Zone::Utc);
    }
    // A path into the zone database names its zone by the part after `zoneinfo/`.
    let name = name.rsplit_once("zoneinfo/").map_or(name, |(_, zone)| zone);
    name.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    /// A machine with the given `TZ`, system zone name and offset.
    struct Machine {
        tz: Option<&'static str>,
        system: Option<&'static str>,
        offset_s: i32,
    }

    impl Environment for Machine {
        fn var(&self, name: &str) -> Option<std::ffi::OsString> {
            (name == "TZ").then_some(self.tz?.into())
        }

        fn system_zone(&self) -> Option<String> {
            self.system.map(str::to_owned)
        }

        fn local_offset(&self) -> FixedOffset {
            FixedOffset::east_opt(self.offset_s).expect("offset")
        }
    }

    fn zone(tz: Option<&'static str>, system: Option<&'static str>) -> Zone {
        local_zone(&Machine {
            tz,
            system,
            offset_s: 3600,
        })
    }

    #[test]
    fn a_tz_value_names_its_zone_as_the_c_library_reads_it() {
        let berlin = Some(Zone::Named(chrono_tz::Europe::Berlin));
        assert_eq!(tz_zone("Europe/Berlin"), berlin);
        assert_eq!(tz_zone(":Europe/Berlin"), berlin);
        assert_eq!(tz_zone("/usr/share/zoneinfo/Europe/Berlin"), berlin);
        assert_eq!(tz_zone(""), Some(Zone::Utc));
        assert_eq!(tz_zone("UTC"), Some(Zone::Named(chrono_tz::UTC)));
        assert_eq!(tz_zone("CET-1CEST"), None);
        assert_eq!(tz_zone("local"), None);
    }

    #[test]
    fn tz_wins_over_the_system_zone() {
        let berlin = Zone::Named(chrono_tz::Europe::Berlin);
        let tokyo = Some("Asia/Tokyo");
        assert_eq!(zone(Some("Europe/Berlin"), tokyo), berlin);
        assert_eq!(zone(Some(":Europe/Berlin"), tokyo), berlin);
        assert_eq!(
            zone(Some("/usr/share/zoneinfo/Europe/Berlin"), tokyo),
            berlin
        );
        assert_eq!(zone(Some(""), tokyo), Zone::Utc);
    }

    #[test]
    fn without_tz_the_system_zone_by_name() {
        assert_eq!(
            zone(None, Some("Asia/Tokyo")),
            Zone::Named(chrono_tz::Asia::Tokyo)
        );
    }

    #[test]
    fn a_zone_without_a_name_is_the_offset_now() {
        let plus_one = Zone::Fixed(FixedOffset::east_opt(3600).expect("offset"));
        assert_eq!(zone(Some("CET-1CEST"), Some("Asia/Tokyo")), plus_one);
        assert_eq!(zone(None, None), plus_one);
        assert_eq!(zone(None, Some("not/a zone")), plus_one);
        assert_eq!(plus_one.to_string(), "UTC+01:00");
    }
}
