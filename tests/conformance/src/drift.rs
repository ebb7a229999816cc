//! Records the runtime's warnings about values it corrected because the API (here: the spec's
//! examples) sent them with another type than the spec declares, so the conformance runs can
//! count them as the spec bugs they are while the client decodes them.

use std::fmt;
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

static CONVERTED: Mutex<Vec<Conversion>> = Mutex::new(Vec::new());

/// One decode that converted values: the operation and the JSON paths converted.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conversion {
    pub operation: String,
    pub paths: String,
}

/// Installs the recorder as the process-wide `tracing` subscriber (once; later calls no-op).
pub fn install() {
    let _ = tracing::subscriber::set_global_default(Recorder);
}

/// The conversions recorded since the last call, oldest first.
pub fn take() -> Vec<Conversion> {
    std::mem::take(&mut *CONVERTED.lock().unwrap_or_else(|e| e.into_inner()))
}

struct Recorder;

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() == Level::WARN && metadata.target().starts_with("cloudflare_v4")
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut conversion = Conversion::default();
        event.record(&mut conversion);
        if !conversion.paths.is_empty() {
            CONVERTED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conversion);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

impl Visit for Conversion {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "operation" => self.operation = format!("{value:?}"),
            "paths" => self.paths = format!("{value:?}"),
            _ => {}
        }
    }
}
