//! `--online`: STS, reached as AWS tools reach it.

use super::{selected_profile, Context, Finding, Status};

/// `--online`: who the selected profile's credentials belong to, by STS
/// GetCallerIdentity, and an error for an account's root user.
pub fn check_online(ctx: &Context) -> Finding {
    let profile = selected_profile(ctx);
    let finding = |status, message: String, fix: Option<String>| Finding {
        check: "online.identity",
        status,
        message,
        fix,
    };
    match crate::aws::Client::new(Some(&profile)).caller_identity() {
        Ok(id) if crate::aws::is_root(&id.arn) => finding(
            Status::Error,
            format!(
                "profile '{profile}' signs in as the root user of account {}: \
                root keys must not be used by applications",
                id.account
            ),
            Some(format!(
                "create an IAM user or role for the application, store its \
                     key with {}, and delete the root access key",
                crate::fix::add("NAME", crate::store_kind::StoreKind::platform_default())
            )),
        ),
        Ok(id) => finding(
            Status::Ok,
            format!(
                "profile '{profile}' is {} in account {}",
                id.arn, id.account
            ),
            None,
        ),
        Err(e) => finding(
            Status::Error,
            format!("STS did not accept profile '{profile}': {}", e.report()),
            Some("fix the errors above, then run doctor --online again".into()),
        ),
    }
}
