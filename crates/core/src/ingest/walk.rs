//! Streams one document (a single object, a `*List`, a bare array) into a [`Collector`].
//!
//! The document is visited with serde seeds so that `items` is never collected into a `Vec`:
//! each item is read into a [`RawObject`], converted to the owned model and dropped. Items
//! without `kind` (the API server omits it inside typed lists such as `PodList`) are kept
//! converted with the list's item kind when the list's `kind` came first (`PodList` →
//! `Pod`); otherwise they are kept borrowed until the list's `kind` is known, since kubectl may
//! print `kind` after `items`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::collect::Collector;
use super::raw::{RawObject, Text};
use super::raw_bill::{BILL_SPEC_KINDS, RawBill};

/// True when the object's `spec` is read as a [`RawBill`]: its kind, read before `spec` (as
/// kubectl prints it), is a volume, claim or Service.
fn is_bill_spec(obj: &RawObject<'_>) -> bool {
    obj.kind
        .as_ref()
        .is_some_and(|k| BILL_SPEC_KINDS.contains(&k.as_str()))
}

/// Lists nested deeper than this are rejected (a `List` inside a `List` is already unusual).
const MAX_LIST_DEPTH: usize = 8;

/// Per-document walking state.
pub(crate) struct Walker<'c, 'o, 'a> {
    /// Where converted objects go.
    pub out: &'c mut Collector<'o>,
    /// List items without `kind`, waiting for their list's kind.
    pending: Vec<RawObject<'a>>,
    /// Set when the top level was a mapping without `kind` or `items`: its first keys.
    pub unrecognised: Option<Vec<String>>,
}

impl<'c, 'o, 'a> Walker<'c, 'o, 'a> {
    /// A walker feeding `out`.
    pub fn new(out: &'c mut Collector<'o>) -> Self {
        Walker {
            out,
            pending: Vec::new(),
            unrecognised: None,
        }
    }

    /// Walks one document.
    pub fn walk<D: Deserializer<'a>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        ObjectSeed {
            walker: self,
            depth: 0,
            item_kind: None,
        }
        .deserialize(deserializer)
    }

    /// Walks one element of a top-level list's `items` (or of a bare array) on its own, as
    /// [`Walker::walk`] walks it inside its document: at depth 1, with the list's item kind
    /// when the list's `kind` came before `items`. Used by the streaming reader.
    pub fn walk_item<D: Deserializer<'a>>(
        &mut self,
        deserializer: D,
        item_kind: Option<&str>,
    ) -> Result<(), D::Error> {
        ObjectSeed {
            walker: self,
            depth: 1,
            item_kind,
        }
        .deserialize(deserializer)
    }

    /// Collects an object read inside a list: converted with its own kind, else its list's
    /// item kind, else kept until its list's kind is known.
    pub fn collect_item(&mut self, obj: RawObject<'a>, item_kind: Option<&str>) {
        let kind = obj
            .kind
            .as_ref()
            .map(Text::as_str)
            .filter(|k| !k.is_empty());
        match kind.or(item_kind) {
            Some(kind) => self.out.add(&obj, kind),
            None => self.pending.push(obj),
        }
    }

    /// True when an item waits for its list's kind.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Resolves every waiting item with the list's item kind (if any), else by its content.
    pub fn flush_pending(&mut self, item_kind: Option<&str>) {
        self.resolve_pending(0, item_kind);
    }

    /// Resolves the pending items from `start` on with the list's item kind (if any).
    fn resolve_pending(&mut self, start: usize, item_kind: Option<&str>) {
        let pending: Vec<RawObject<'a>> = self.pending.drain(start..).collect();
        for obj in pending {
            match item_kind.map(str::to_owned).or_else(|| guess_kind(&obj)) {
                Some(kind) => self.out.add(&obj, &kind),
                None => self.out.kindless(&obj),
            }
        }
    }
}

/// `NodeList` → `Node`; `List` → none.
pub(crate) fn list_item_kind(list_kind: &str) -> Option<&str> {
    list_kind.strip_suffix("List").filter(|k| !k.is_empty())
}

/// The kind of an object without `kind`, from its content: a pod spec has containers; a node has
/// `nodeInfo`, `allocatable` or a providerID.
fn guess_kind(obj: &RawObject<'_>) -> Option<String> {
    let spec = obj.spec.as_deref();
    let status = obj.status.as_deref();
    if spec.is_some_and(|s| s.containers.is_some()) {
        return Some("Pod".to_owned());
    }
    if status.is_some_and(|s| s.node_info.is_some() || s.allocatable.is_some())
        || spec.is_some_and(|s| s.provider_id.is_some())
    {
        return Some("Node".to_owned());
    }
    None
}

/// Whether the fields of an object of this kind are read at all.
fn kind_is_read(kind: &str) -> bool {
    matches!(kind, "Node" | "Pod" | "HorizontalPodAutoscaler")
        || crate::workloads::WORKLOAD_KINDS.contains(&kind)
        || crate::cluster::BILL_KINDS.contains(&kind)
}

struct ObjectSeed<'w, 'c, 'o, 'a, 'k> {
    walker: &'w mut Walker<'c, 'o, 'a>,
    depth: usize,
    /// The kind of the enclosing list's items, when the list's `kind` came before `items`.
    item_kind: Option<&'k str>,
}

impl<'a> ObjectSeed<'_, '_, '_, 'a, '_> {
    /// Walks every element of `seq` as an object at this seed's depth and item kind.
    fn walk_each<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ObjectSeed {
                walker: &mut *self.walker,
                depth: self.depth,
                item_kind: self.item_kind,
            })?
            .is_some()
        {}
        Ok(())
    }
}

impl<'a> DeserializeSeed<'a> for ObjectSeed<'_, '_, '_, 'a, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for ObjectSeed<'_, '_, '_, 'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object or a list of them")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'a>>(self, seq: A) -> Result<(), A::Error> {
        if self.depth >= MAX_LIST_DEPTH {
            return Err(de::Error::custom("lists are nested too deeply"));
        }
        let start = self.walker.pending.len();
        ObjectSeed {
            walker: &mut *self.walker,
            depth: self.depth + 1,
            item_kind: self.item_kind,
        }
        .walk_each(seq)?;
        self.walker.resolve_pending(start, None);
        Ok(())
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let mut obj = RawObject::default();
        let mut is_list = false;
        let mut other_keys: Vec<String> = Vec::new();
        let start = self.walker.pending.len();
        while let Some(key) = map.next_key::<Text<'a>>()? {
            match key.as_str() {
                "items" => {
                    if self.depth >= MAX_LIST_DEPTH {
                        return Err(de::Error::custom("lists are nested too deeply"));
                    }
                    let item_kind = obj.kind.as_ref().and_then(|k| list_item_kind(k.as_str()));
                    map.next_value_seed(ItemsSeed(ObjectSeed {
                        walker: &mut *self.walker,
                        depth: self.depth + 1,
                        item_kind,
                    }))?;
                    is_list = true;
                }
                other => {
                    if !read_field(&mut obj, other, &mut map)? {
                        if self.depth == 0 && other_keys.len() < 8 {
                            other_keys.push(other.to_owned());
                        }
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        let kind = obj
            .kind
            .as_ref()
            .map(|k| k.as_str().to_owned())
            .filter(|k| !k.is_empty());
        if is_list {
            self.walker
                .resolve_pending(start, kind.as_deref().and_then(list_item_kind));
        } else if self.depth > 0 || kind.is_some() {
            self.walker.collect_item(obj, self.item_kind);
        } else {
            if obj.metadata.is_some() || obj.spec.is_some() || obj.status.is_some() {
                match guess_kind(&obj) {
                    Some(kind) => self.walker.out.add(&obj, &kind),
                    None => {
                        let mut keys: Vec<String> = ["apiVersion", "metadata", "spec", "status"]
                            .iter()
                            .zip([
                                obj.api_version.is_some(),
                                obj.metadata.is_some(),
                                obj.spec.is_some(),
                                obj.status.is_some(),
                            ])
                            .filter(|(_, present)| *present)
                            .map(|(k, _)| (*k).to_owned())
                            .collect();
                        keys.extend(other_keys);
                        self.walker.unrecognised = Some(keys);
                    }
                }
            } else {
                self.walker.unrecognised = Some(other_keys);
            }
        }
        Ok(())
    }
}

/// Reads the value of `key` into `obj` when it is one of the fields the model needs and the
/// object's kind (when read before it) is one whose fields are read; false (the value not read)
/// otherwise.
fn read_field<'a, A: MapAccess<'a>>(
    obj: &mut RawObject<'a>,
    key: &str,
    map: &mut A,
) -> Result<bool, A::Error> {
    let skip = obj.kind.as_ref().is_some_and(|k| !kind_is_read(k.as_str()));
    match key {
        "kind" => obj.kind = map.next_value()?,
        "apiVersion" => obj.api_version = map.next_value()?,
        "metadata" if !skip => obj.metadata = map.next_value()?,
        "spec" if is_bill_spec(obj) => {
            let spec: RawBill<'a> = map.next_value()?;
            let bill = obj.bill.get_or_insert_with(Default::default);
            let (provisioner, parameters) = (bill.provisioner.take(), bill.parameters.take());
            **bill = RawBill {
                provisioner,
                parameters,
                ..spec
            };
        }
        "spec" if !skip => obj.spec = map.next_value()?,
        "status" if !skip => obj.status = map.next_value()?,
        "provisioner" if !skip => {
            obj.bill.get_or_insert_with(Default::default).provisioner = map.next_value()?;
        }
        "parameters" if !skip => {
            obj.bill.get_or_insert_with(Default::default).parameters = map.next_value()?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// An object read on its own, outside a walk (the streaming reader's element read in place):
/// the fields [`Walker`] reads, and an error for a list inside it, before any of its elements
/// is read. Nothing is collected: the caller hands it to [`Walker::collect_item`].
pub(crate) struct FlatObject<'a>(pub RawObject<'a>);

impl<'a> de::Deserialize<'a> for FlatObject<'a> {
    fn deserialize<D: Deserializer<'a>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FlatVisitor)
    }
}

struct FlatVisitor;

impl<'a> Visitor<'a> for FlatVisitor {
    type Value = FlatObject<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<FlatObject<'a>, A::Error> {
        let mut obj = RawObject::default();
        while let Some(key) = map.next_key::<Text<'a>>()? {
            if key.as_str() == "items" {
                return Err(de::Error::custom("a list inside a list's item"));
            }
            if !read_field(&mut obj, key.as_str(), &mut map)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(FlatObject(obj))
    }
}

/// A list's `items`: a sequence whose elements are walked as objects with the seed's depth and
/// item kind.
struct ItemsSeed<'w, 'c, 'o, 'a, 'k>(ObjectSeed<'w, 'c, 'o, 'a, 'k>);

impl<'a> DeserializeSeed<'a> for ItemsSeed<'_, '_, '_, 'a, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'a> Visitor<'a> for ItemsSeed<'_, '_, '_, 'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'a>>(self, seq: A) -> Result<(), A::Error> {
        self.0.walk_each(seq)
    }
}
