//! Quantity conversion from the raw view to exact integers, with warnings for odd values.

use crate::diagnostics::Warning;
use crate::pods::ResourceSpec;
use crate::quantity::Quantity;

use super::raw::{RawQty, RawResources};

/// What unit a quantity is converted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// CPU: millicores (rounded up).
    Cpu,
    /// Memory / storage: bytes (rounded up).
    Bytes,
    /// GPUs, pods: whole units (rounded up).
    Count,
}

/// More than a million cores is not a real request.
const ABSURD_CPU_MILLIS: i64 = 1_000_000_000;
/// More than 1 PiB of memory or storage is not a real request.
const ABSURD_BYTES: i64 = 1 << 50;
/// More than a million GPUs or pods is not real.
const ABSURD_COUNT: i64 = 1_000_000;

/// Where warnings about one object go.
pub(crate) struct Ctx<'w> {
    /// The object, as warnings name it (`Pod/ns/name`).
    pub object: String,
    /// The warning list.
    pub warnings: &'w mut Vec<Warning>,
}

impl Ctx<'_> {
    /// Records a warning about this object.
    pub fn warn(&mut self, code: &str, message: String) {
        self.warnings
            .push(Warning::new(code, self.object.clone(), message));
    }
}

fn shown(raw: &RawQty<'_>) -> String {
    match raw {
        RawQty::Text(t) if t.len() <= 64 => format!("{t:?}"),
        // A quantity is a few characters; a long one is shown by its start only.
        RawQty::Text(t) => format!("{:?}", super::error::excerpt(t, 64)),
        RawQty::Int(i) => i.to_string(),
        RawQty::Float(f) => f.to_string(),
        RawQty::Invalid(what) => (*what).to_owned(),
    }
}

/// Converts one quantity; invalid, negative and absurd values produce warnings.
///
/// Invalid and absurd values are treated as absent, negative ones as zero.
pub(crate) fn quantity(
    raw: Option<&RawQty<'_>>,
    unit: Unit,
    ctx: &mut Ctx<'_>,
    field: &dyn Fn() -> String,
) -> Option<i64> {
    let raw = raw?;
    let parsed = match raw {
        RawQty::Text(text) => Quantity::parse(text).map_err(|e| e.reason.to_owned()),
        RawQty::Int(i) => Ok(Quantity::from_nanos(i.saturating_mul(1_000_000_000))),
        RawQty::Float(f) if f.is_finite() => {
            // Display prints the shortest decimal that reads back as the same float: for any
            // number a person typed with up to 15 significant digits, that is what they typed.
            let text = f.to_string();
            let q = Quantity::parse(&text).map_err(|e| e.reason.to_owned());
            if q.is_ok() {
                ctx.warn(
                    "float_quantity",
                    format!(
                        "`{}` is the number {text}, not a string like \"{text}\"; read as {text}",
                        field()
                    ),
                );
            }
            q
        }
        RawQty::Float(_) => Err("not a finite number".to_owned()),
        RawQty::Invalid(what) => Err(format!("{what} is not a quantity")),
    };
    let q = match parsed {
        Ok(q) => q,
        Err(reason) => {
            ctx.warn(
                "invalid_quantity",
                format!(
                    "`{}` = {} is not a valid quantity ({reason}); treated as absent",
                    field(),
                    shown(raw)
                ),
            );
            return None;
        }
    };
    if q.nanos() < 0 {
        ctx.warn(
            "negative_quantity",
            format!("`{}` = {} is negative; treated as 0", field(), shown(raw)),
        );
        return Some(0);
    }
    let (value, limit, what) = match unit {
        Unit::Cpu => (q.millis_ceil(), ABSURD_CPU_MILLIS, "1,000,000 cores"),
        Unit::Bytes => (q.units_ceil(), ABSURD_BYTES, "1 PiB"),
        Unit::Count => (q.units_ceil(), ABSURD_COUNT, "1,000,000"),
    };
    if value > limit {
        ctx.warn(
            "absurd_quantity",
            format!(
                "`{}` = {} is more than {what}; ignored",
                field(),
                shown(raw)
            ),
        );
        return None;
    }
    Some(value)
}

/// Converts a requests/limits/overhead map; `path` is the field path for warnings.
pub(crate) fn resource_spec(
    raw: Option<&RawResources<'_>>,
    ctx: &mut Ctx<'_>,
    path: &dyn Fn() -> String,
) -> ResourceSpec {
    let Some(raw) = raw else {
        return ResourceSpec::default();
    };
    let cpu = quantity(raw.cpu.as_ref(), Unit::Cpu, ctx, &|| {
        format!("{}.cpu", path())
    });
    let memory = quantity(raw.memory.as_ref(), Unit::Bytes, ctx, &|| {
        format!("{}.memory", path())
    });
    let ephemeral = quantity(raw.ephemeral_storage.as_ref(), Unit::Bytes, ctx, &|| {
        format!("{}.ephemeral-storage", path())
    });
    let nvidia = quantity(raw.nvidia_gpu.as_ref(), Unit::Count, ctx, &|| {
        format!("{}.nvidia.com/gpu", path())
    });
    let amd = quantity(raw.amd_gpu.as_ref(), Unit::Count, ctx, &|| {
        format!("{}.amd.com/gpu", path())
    });
    let gpus = match (nvidia, amd) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    };
    ResourceSpec {
        cpu_millis: cpu,
        memory_bytes: memory,
        ephemeral_storage_bytes: ephemeral,
        gpus,
        mig_devices: mig_devices(raw, ctx, path),
    }
}

/// Σ of the `nvidia.com/mig-*` quantities (MIG slices of any profile); `None` when there are
/// none.
pub(crate) fn mig_devices(
    raw: &RawResources<'_>,
    ctx: &mut Ctx<'_>,
    path: &dyn Fn() -> String,
) -> Option<i64> {
    let mut total: Option<i64> = None;
    for (name, q) in &raw.mig {
        let v = quantity(Some(q), Unit::Count, ctx, &|| {
            format!("{}.{}", path(), name.as_str())
        });
        if let Some(v) = v {
            total = Some(total.unwrap_or(0).saturating_add(v));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn conv(raw: RawQty<'_>, unit: Unit) -> (Option<i64>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let mut ctx = Ctx {
            object: "Pod/ns/p".to_owned(),
            warnings: &mut warnings,
        };
        let v = quantity(Some(&raw), unit, &mut ctx, &|| "f".to_owned());
        (v, warnings)
    }

    #[test]
    fn converts_strings_numbers_and_floats() {
        assert_eq!(
            conv(RawQty::Text(Cow::Borrowed("250m")), Unit::Cpu).0,
            Some(250)
        );
        assert_eq!(
            conv(RawQty::Text(Cow::Borrowed("1.1")), Unit::Cpu).0,
            Some(1100)
        );
        assert_eq!(
            conv(RawQty::Text(Cow::Borrowed("1Gi")), Unit::Bytes).0,
            Some(1 << 30)
        );
        assert_eq!(conv(RawQty::Int(2), Unit::Cpu), (Some(2000), vec![]));
        let (v, w) = conv(RawQty::Float(0.1), Unit::Cpu);
        assert_eq!(v, Some(100));
        assert_eq!(w[0].code, "float_quantity");
        assert_eq!(
            w[0].message,
            "`f` is the number 0.1, not a string like \"0.1\"; read as 0.1"
        );
    }

    #[test]
    fn warns_about_bad_values() {
        let (v, w) = conv(RawQty::Text(Cow::Borrowed("lots")), Unit::Cpu);
        assert_eq!(v, None);
        assert_eq!(w[0].code, "invalid_quantity");
        assert_eq!(w[0].object, "Pod/ns/p");
        let (v, w) = conv(RawQty::Text(Cow::Borrowed("-1")), Unit::Cpu);
        assert_eq!((v, w[0].code.as_str()), (Some(0), "negative_quantity"));
        let (v, w) = conv(RawQty::Text(Cow::Borrowed("2000000")), Unit::Cpu);
        assert_eq!((v, w[0].code.as_str()), (None, "absurd_quantity"));
        let (v, w) = conv(RawQty::Text(Cow::Borrowed("2Pi")), Unit::Bytes);
        assert_eq!((v, w[0].code.as_str()), (None, "absurd_quantity"));
        let (v, w) = conv(RawQty::Invalid("a boolean"), Unit::Count);
        assert_eq!((v, w[0].code.as_str()), (None, "invalid_quantity"));
        let (v, w) = conv(RawQty::Float(f64::NAN), Unit::Count);
        assert_eq!((v, w[0].code.as_str()), (None, "invalid_quantity"));
    }
}
