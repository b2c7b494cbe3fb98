//! Who may do what in the console and the admin API: four roles, each a fixed set of
//! permissions. The server checks them on every request; the pages only hide what a role
//! cannot use.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Everything, accounts included.
    Administrator,
    /// Widgets, results and exports.
    Editor,
    /// Topic proposals only.
    Moderator,
    /// Reads everything its pages show, changes nothing.
    Viewer,
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See widgets, results and exports.
    ReadResults,
    /// Create and change widgets.
    EditWidgets,
    /// See the moderation queue.
    ReadProposals,
    /// Approve, reject and merge proposals.
    Moderate,
    /// Create, change and disable accounts.
    ManageAccounts,
    /// See and export registrations and subscribers (names and addresses); cancel a
    /// registration.
    PersonalData,
    /// Erase everything stored about an address.
    Erase,
    /// Read the audit log.
    ReadAudit,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Administrator,
        Role::Editor,
        Role::Moderator,
        Role::Viewer,
    ];

    pub fn may(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Administrator => true,
            Role::Editor => matches!(
                permission,
                ReadResults | EditWidgets | ReadProposals | PersonalData
            ),
            Role::Moderator => matches!(permission, ReadProposals | Moderate),
            Role::Viewer => matches!(permission, ReadResults | ReadProposals),
        }
    }

    /// As stored and as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_administrators_manage_accounts_and_viewers_change_nothing() {
        for role in Role::ALL {
            assert_eq!(
                role.may(Permission::ManageAccounts),
                role == Role::Administrator
            );
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for change in [
            Permission::EditWidgets,
            Permission::Moderate,
            Permission::ManageAccounts,
        ] {
            assert!(!Role::Viewer.may(change));
        }
        assert!(Role::Moderator.may(Permission::Moderate));
        assert!(!Role::Moderator.may(Permission::ReadResults));
        assert!(!Role::Editor.may(Permission::Moderate));
        assert_eq!(Role::parse("Administrator"), None);
    }
}
