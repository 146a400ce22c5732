//! Reading entries from the Secret Service in as few round trips as the
//! protocol allows, straight over libdbus: the credential_process path.
//!
//! The calls that do not depend on each other go out together and their
//! replies are collected by serial: the searches for every name asked for,
//! then one `GetSecrets` for all the unlocked items found. A key and its
//! cached MFA session cost the same two round trips as a key alone (the
//! searches, then GetSecrets); read one after the other, they cost four
//! (bench/speed.sh: a cached session took 1.68x of a stored key then).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use dbus::arg::{RefArg, Variant};
use dbus::blocking::Connection;
use dbus::channel::Channel;
use dbus::message::MessageType;
use dbus::{Message, Path};

use crate::store::SERVICE;

const DESTINATION: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_INTERFACE: &str = "org.freedesktop.Secret.Service";

/// libdbus's own default for a method call's reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(25);

/// A connection with a `plain` transfer session open (see the parent
/// module for why plain).
pub struct Reader {
    connection: Connection,
    session: Path<'static>,
}

/// Why [`Reader::open`] failed: the bus, or the Secret Service on it.
pub enum OpenError {
    Bus(dbus::Error),
    Session(dbus::Error),
}

/// What one search found for a name.
pub enum Found {
    /// The secret of its first unlocked item.
    Secret(Vec<u8>),
    /// Only locked items: reading one asks the desktop to unlock it.
    Locked,
    Missing,
}

impl Reader {
    /// Connects to the session bus and opens a plain session.
    pub fn open() -> Result<Reader, OpenError> {
        let connection = Connection::new_session().map_err(OpenError::Bus)?;
        let open = call("OpenSession")
            .map_err(OpenError::Session)?
            .append2("plain", Variant(""));
        let reply = exchange(connection.channel(), vec![open])
            .map_err(OpenError::Session)?
            .remove(0);
        let (_, session): (Variant<Box<dyn RefArg>>, Path<'static>) =
            reply.read2().map_err(|e| OpenError::Session(e.into()))?;
        Ok(Reader {
            connection,
            session,
        })
    }

    /// Each name's secret, searched for together and read together.
    pub fn read(&self, names: &[&str]) -> Result<Vec<Found>, dbus::Error> {
        let searches = names
            .iter()
            .map(|name| {
                let attributes = HashMap::from([("service", SERVICE), ("username", *name)]);
                Ok(call("SearchItems")?.append1(attributes))
            })
            .collect::<Result<Vec<_>, dbus::Error>>()?;
        let channel = self.connection.channel();
        // Each name's first unlocked item, or what was found instead.
        let mut items: Vec<Result<Path<'static>, Found>> = Vec::with_capacity(names.len());
        for reply in exchange(channel, searches)? {
            let (unlocked, locked): (Vec<Path<'static>>, Vec<Path<'static>>) = reply.read2()?;
            items.push(match unlocked.into_iter().next() {
                Some(path) => Ok(path),
                None if locked.is_empty() => Err(Found::Missing),
                None => Err(Found::Locked),
            });
        }
        let wanted: Vec<Path<'static>> = items
            .iter()
            .filter_map(|item| item.as_ref().ok().cloned())
            .collect();
        let mut secrets: HashMap<Path<'static>, SecretStruct> = HashMap::new();
        if !wanted.is_empty() {
            let get = call("GetSecrets")?.append2(wanted, &self.session);
            secrets = exchange(channel, vec![get])?.remove(0).read1()?;
        }
        Ok(items
            .into_iter()
            .map(|item| match item {
                Err(found) => found,
                // Locked between the search and the read.
                Ok(path) => secrets
                    .remove(&path)
                    .map_or(Found::Locked, |(_, _, value, _)| Found::Secret(value)),
            })
            .collect())
    }
}

/// A secret as the protocol sends it: session, parameters, value, content
/// type (plain: no parameters, the value as stored).
type SecretStruct = (Path<'static>, Vec<u8>, Vec<u8>, String);

fn call(method: &str) -> Result<Message, dbus::Error> {
    Message::new_method_call(DESTINATION, SERVICE_PATH, SERVICE_INTERFACE, method)
        .map_err(|e| dbus::Error::new_failed(&e))
}

/// Sends every call at once, then waits for all their replies; an error
/// reply to any of them is the error.
fn exchange(channel: &Channel, calls: Vec<Message>) -> Result<Vec<Message>, dbus::Error> {
    let mut serials = Vec::with_capacity(calls.len());
    for message in calls {
        let serial = channel
            .send(message)
            .map_err(|()| dbus::Error::new_failed("the session bus did not take the call"))?;
        serials.push(serial);
    }
    let mut replies: Vec<Option<Message>> = serials.iter().map(|_| None).collect();
    let deadline = Instant::now() + REPLY_TIMEOUT;
    while replies.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(dbus::Error::new_custom(
                "org.freedesktop.DBus.Error.NoReply",
                "the Secret Service did not answer in time",
            ));
        }
        let Some(mut message) = channel.blocking_pop_message(left)? else {
            continue;
        };
        // Signals (NameAcquired after connecting) are not for us.
        let slot = match message.msg_type() {
            MessageType::MethodReturn | MessageType::Error => message
                .get_reply_serial()
                .and_then(|serial| serials.iter().position(|&s| s == serial)),
            _ => None,
        };
        if let Some(slot) = slot {
            message.as_result()?;
            replies[slot] = Some(message);
        }
    }
    Ok(replies.into_iter().flatten().collect())
}
