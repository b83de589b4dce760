//! Membership links: administrative-unit members and direct group members. Every
//! change goes through `set_*_link`, which records the old value for replication.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{DirObject, ObjectKind};
use super::tenant::Tenant;
use crate::error::{AppError, AppResult};

/// Maximum number of administrative units one object may belong to.
pub const MAX_AUS_PER_OBJECT: usize = 30;

/// Graph's answer to adding a member that is already there (AUs and groups).
pub const DUPLICATE_MEMBER: &str = "One or more added object references already exist for the following modified properties: 'members'.";

fn linked(links: &BTreeMap<String, BTreeSet<String>>, container: &str, member: &str) -> bool {
    links.get(container).is_some_and(|s| s.contains(member))
}

fn containers_of<'a>(
    links: &'a BTreeMap<String, BTreeSet<String>>,
    member: &'a str,
) -> impl Iterator<Item = &'a String> {
    links
        .iter()
        .filter(move |(_, set)| set.contains(member))
        .map(|(c, _)| c)
}

fn set_link(
    links: &mut BTreeMap<String, BTreeSet<String>>,
    container: &str,
    member: &str,
    present: bool,
) {
    if present {
        links
            .entry(container.to_owned())
            .or_default()
            .insert(member.to_owned());
    } else if let Some(set) = links.get_mut(container) {
        set.remove(member);
    }
}

impl Tenant {
    /// Whether the AU's member set names `member` (live or not).
    pub fn has_au_link(&self, au_id: &str, member_id: &str) -> bool {
        linked(&self.au_members, au_id, member_id)
    }

    /// Whether the group's member set names `member` (live or not).
    pub fn has_group_link(&self, group_id: &str, member_id: &str) -> bool {
        linked(&self.group_members, group_id, member_id)
    }

    /// Adds or removes an AU link (recorded as a change).
    pub fn set_au_link(&mut self, au_id: &str, member_id: &str, present: bool) {
        self.capture_au_link(au_id, member_id);
        set_link(&mut self.au_members, au_id, member_id, present);
    }

    /// Adds or removes a group link (recorded as a change).
    pub fn set_group_link(&mut self, group_id: &str, member_id: &str, present: bool) {
        self.capture_group_link(group_id, member_id);
        set_link(&mut self.group_members, group_id, member_id, present);
    }

    /// Live members of an AU, in id order.
    pub fn members(&self, au_id: &str) -> Vec<&DirObject> {
        self.live(self.au_members.get(au_id))
    }

    /// Live direct members of a group, in id order.
    pub fn group_members(&self, group_id: &str) -> Vec<&DirObject> {
        self.live(self.group_members.get(group_id))
    }

    fn live(&self, ids: Option<&BTreeSet<String>>) -> Vec<&DirObject> {
        ids.map(|set| set.iter().filter_map(|id| self.objects.get(id)).collect())
            .unwrap_or_default()
    }

    /// Whether `member` is a live member of `au`.
    pub fn is_member(&self, au_id: &str, member_id: &str) -> bool {
        self.objects.contains_key(member_id) && self.has_au_link(au_id, member_id)
    }

    /// Whether `member` is a live direct member of `group`.
    pub fn is_group_member(&self, group_id: &str, member_id: &str) -> bool {
        self.objects.contains_key(member_id) && self.has_group_link(group_id, member_id)
    }

    /// Live AUs that `member_id` belongs to.
    pub fn aus_of(&self, member_id: &str) -> Vec<&DirObject> {
        containers_of(&self.au_members, member_id)
            .filter_map(|au| self.objects.get(au))
            .collect()
    }

    /// Live groups that `member_id` is a direct member of.
    pub fn groups_of(&self, member_id: &str) -> Vec<&DirObject> {
        containers_of(&self.group_members, member_id)
            .filter_map(|g| self.objects.get(g))
            .collect()
    }

    /// Adds an AU member, enforcing kinds, duplicates and the 30-AU limit.
    pub fn add_member(&mut self, au_id: &str, member_id: &str) -> AppResult<()> {
        self.get_kind(au_id, ObjectKind::AdministrativeUnit)?;
        let member = self
            .objects
            .get(member_id)
            .ok_or_else(|| AppError::not_found(member_id))?;
        if !member.kind.is_au_member_kind() {
            return Err(AppError::bad_request(format!(
                "Unsupported referenced-object resource identifier for link property 'members'. Only users, groups and devices can be members of an administrative unit; '{member_id}' is a {}.",
                member.kind.type_name()
            )));
        }
        if self.is_member(au_id, member_id) {
            return Err(AppError::bad_request(DUPLICATE_MEMBER));
        }
        if self.aus_of(member_id).len() >= MAX_AUS_PER_OBJECT {
            return Err(AppError::bad_request(format!(
                "The object '{member_id}' is already a member of the maximum number of administrative units ({MAX_AUS_PER_OBJECT})."
            )));
        }
        self.set_au_link(au_id, member_id, true);
        self.touch(au_id);
        Ok(())
    }

    /// Removes an AU member; 404 naming the AU when it is not a member.
    pub fn remove_member(&mut self, au_id: &str, member_id: &str) -> AppResult<()> {
        self.get_kind(au_id, ObjectKind::AdministrativeUnit)?;
        if !self.is_member(au_id, member_id) {
            return Err(AppError::not_found(au_id));
        }
        self.set_au_link(au_id, member_id, false);
        self.touch(au_id);
        Ok(())
    }

    /// Adds a direct group member (users, groups, devices, service principals).
    pub fn add_group_member(&mut self, group_id: &str, member_id: &str) -> AppResult<()> {
        self.get_kind(group_id, ObjectKind::Group)?;
        let member = self
            .objects
            .get(member_id)
            .ok_or_else(|| AppError::not_found(member_id))?;
        let allowed = matches!(
            member.kind,
            ObjectKind::User
                | ObjectKind::Group
                | ObjectKind::Device
                | ObjectKind::ServicePrincipal
        );
        if !allowed {
            return Err(AppError::bad_request(format!(
                "Unsupported referenced-object resource identifier for link property 'members'. '{member_id}' is a {}.",
                member.kind.type_name()
            )));
        }
        if self.is_group_member(group_id, member_id) {
            return Err(AppError::bad_request(DUPLICATE_MEMBER));
        }
        self.set_group_link(group_id, member_id, true);
        self.touch(group_id);
        Ok(())
    }

    /// Removes a direct group member; 404 naming the group when it is not a member.
    pub fn remove_group_member(&mut self, group_id: &str, member_id: &str) -> AppResult<()> {
        self.get_kind(group_id, ObjectKind::Group)?;
        if !self.is_group_member(group_id, member_id) {
            return Err(AppError::not_found(group_id));
        }
        self.set_group_link(group_id, member_id, false);
        self.touch(group_id);
        Ok(())
    }

    /// Removes every link naming `id`, as container or as member (hard delete).
    pub(super) fn drop_links_of(&mut self, id: &str) {
        let as_au: Vec<String> = self
            .au_members
            .get(id)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        for m in as_au {
            self.set_au_link(id, &m, false);
        }
        self.au_members.remove(id);
        let as_group: Vec<String> = self
            .group_members
            .get(id)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        for m in as_group {
            self.set_group_link(id, &m, false);
        }
        self.group_members.remove(id);
        let in_aus: Vec<String> = containers_of(&self.au_members, id).cloned().collect();
        for au in in_aus {
            self.set_au_link(&au, id, false);
        }
        let in_groups: Vec<String> = containers_of(&self.group_members, id).cloned().collect();
        for g in in_groups {
            self.set_group_link(&g, id, false);
        }
    }
}
