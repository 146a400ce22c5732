//! The one Secret Service client, straight over libdbus: every call the
//! store makes, in as few round trips as the protocol allows.
//!
//! The calls that do not depend on each other go out together and their
//! replies are collected by serial: on the credential_process path the
//! searches for every name asked for, then one `GetSecrets` for all the
//! unlocked items found. A key and its cached MFA session cost the same two
//! round trips as a key alone (the searches, then GetSecrets); read one
//! after the other, they cost four (bench/speed.sh: a cached session took
//! 1.68x of a stored key then). Writing, deleting and unlocking may need
//! the desktop's prompt, which [`Client::prompt`] shows and waits for.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use dbus::arg::{RefArg, Variant};
use dbus::blocking::Connection;
use dbus::channel::Channel;
use dbus::message::MessageType;
use dbus::{Message, Path};

use crate::store::SERVICE;

const DESTINATION: &str = "org.freedesktop.secrets";
/// The bus's answer to a call that may not start a service, for a name
/// nobody owns.
const NO_OWNER: &str = "org.freedesktop.DBus.Error.NameHasNoOwner";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_INTERFACE: &str = "org.freedesktop.Secret.Service";
const COLLECTION_INTERFACE: &str = "org.freedesktop.Secret.Collection";
const ITEM_INTERFACE: &str = "org.freedesktop.Secret.Item";
const PROMPT_INTERFACE: &str = "org.freedesktop.Secret.Prompt";
const PROPERTIES_INTERFACE: &str = "org.freedesktop.DBus.Properties";

/// libdbus's own default for a method call's reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(25);

/// How long the desktop's unlock prompt may wait for the user.
const PROMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The path the protocol answers for "no object" (no prompt needed, no
/// collection under that alias).
const NONE: &str = "/";

/// A connection with a `plain` transfer session open (see the parent
/// module for why plain).
pub struct Client {
    connection: Connection,
    session: Path<'static>,
}

/// Why [`Client::open`] failed: the bus, or the Secret Service on it.
pub enum OpenError {
    Bus(dbus::Error),
    Session(dbus::Error),
}

/// Why a call failed.
pub enum Failure {
    /// The D-Bus error the call got.
    Dbus(dbus::Error),
    /// The desktop's prompt was dismissed, could not be shown, or was not
    /// answered within [`PROMPT_TIMEOUT`].
    NotUnlocked,
    /// The service offers no collection to store into.
    NoCollection,
}

impl From<dbus::Error> for Failure {
    fn from(e: dbus::Error) -> Self {
        Failure::Dbus(e)
    }
}

impl From<dbus::arg::TypeMismatchError> for Failure {
    fn from(e: dbus::arg::TypeMismatchError) -> Self {
        Failure::Dbus(e.into())
    }
}

/// What one search found for a name.
pub enum Found {
    /// The secret of its first unlocked item.
    Secret(Vec<u8>),
    /// Only locked items: reading one asks the desktop to unlock it.
    Locked,
    Missing,
}

/// The items a search found: the unlocked ones, then the locked ones.
pub struct Items {
    pub unlocked: Vec<Path<'static>>,
    pub locked: Vec<Path<'static>>,
}

impl Items {
    pub fn all(&self) -> impl Iterator<Item = &Path<'static>> {
        self.unlocked.iter().chain(&self.locked)
    }

    pub fn is_empty(&self) -> bool {
        self.unlocked.is_empty() && self.locked.is_empty()
    }
}

/// The attributes of NAME's entry: what it is stored under and searched by.
pub fn entry_attributes(name: &str) -> [(&'static str, &str); 2] {
    [("service", SERVICE), ("username", name)]
}

impl Client {
    /// Connects to the session bus and opens a plain session. The first
    /// OpenSession asks the bus not to start a service: where nobody owns
    /// the name and the bus could start one, `start` may start it quietly
    /// (see `activation.rs`) before a second OpenSession, which lets the
    /// bus start it.
    pub fn open(start: impl FnOnce() -> bool) -> Result<Client, OpenError> {
        let connection = Connection::new_session().map_err(OpenError::Bus)?;
        let open = || {
            service_call("OpenSession")
                .map_err(OpenError::Session)
                .map(|m| m.append2("plain", Variant("")))
        };
        let mut first = open()?;
        first.set_auto_start(false);
        let reply = match exchange(connection.channel(), vec![first]) {
            // Nobody owns the name (the bus says NameHasNoOwner to a call
            // that may not start one): started here where the bus would
            // start gnome-keyring, then asked as usual once it owns the
            // name (asked before, the bus would start a second daemon, and
            // its words), so that the bus starts any other service or says
            // ServiceUnknown.
            Err(e) if e.name() == Some(NO_OWNER) => {
                if activatable(connection.channel()) && start() {
                    wait_for_owner(connection.channel(), super::activation::OWNER_LIMIT);
                    // The daemon started here answers; the bus starts no
                    // second one.
                    let mut again = open()?;
                    again.set_auto_start(false);
                    exchange(connection.channel(), vec![again])
                } else {
                    exchange(connection.channel(), vec![open()?])
                }
            }
            answer => answer,
        }
        .map_err(OpenError::Session)?
        .remove(0);
        let (_, session): (Variant<Box<dyn RefArg>>, Path<'static>) =
            reply.read2().map_err(|e| OpenError::Session(e.into()))?;
        Ok(Client {
            connection,
            session,
        })
    }

    fn channel(&self) -> &Channel {
        self.connection.channel()
    }

    /// One call and its reply.
    fn ask(&self, call: Message) -> Result<Message, dbus::Error> {
        Ok(exchange(self.channel(), vec![call])?.remove(0))
    }

    /// Each name's secret, searched for together and read together.
    pub fn read(&self, names: &[&str]) -> Result<Vec<Found>, Failure> {
        let searches = names
            .iter()
            .map(|name| search_call(&entry_attributes(name)))
            .collect::<Result<Vec<_>, _>>()?;
        // Each name's first unlocked item, or what was found instead.
        let mut items: Vec<Result<Path<'static>, Found>> = Vec::with_capacity(names.len());
        for reply in exchange(self.channel(), searches)? {
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
            let get = service_call("GetSecrets")?.append2(wanted, &self.session);
            secrets = self.ask(get)?.read1()?;
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

    /// The items whose attributes include all of `attributes`.
    pub fn search(&self, attributes: &[(&str, &str)]) -> Result<Items, Failure> {
        let reply = self.ask(search_call(attributes)?)?;
        let (unlocked, locked) = reply.read2()?;
        Ok(Items { unlocked, locked })
    }

    /// Each item's attributes, asked for together.
    pub fn attributes<'a>(
        &self,
        items: impl Iterator<Item = &'a Path<'static>>,
    ) -> Result<Vec<HashMap<String, String>>, Failure> {
        let calls = items
            .map(|item| property_call(item, ITEM_INTERFACE, "Attributes"))
            .collect::<Result<Vec<_>, _>>()?;
        exchange(self.channel(), calls)?
            .into_iter()
            .map(|reply| {
                let Variant(attributes): Variant<HashMap<String, String>> = reply.read1()?;
                Ok(attributes)
            })
            .collect()
    }

    /// Unlocks the objects (items or collections), through the desktop's
    /// prompt when the service asks for one.
    pub fn unlock(&self, objects: Vec<Path<'static>>) -> Result<(), Failure> {
        let call = service_call("Unlock")?.append1(objects);
        let reply = self.ask(call)?;
        let (_, prompt): (Vec<Path<'static>>, Path<'static>) = reply.read2()?;
        self.prompt(&prompt)
    }

    /// Deletes an item.
    pub fn delete(&self, item: &Path<'static>) -> Result<(), Failure> {
        let call = object_call(item, ITEM_INTERFACE, "Delete")?;
        let prompt: Path<'static> = self.ask(call)?.read1()?;
        self.prompt(&prompt)
    }

    /// The collection to store into: the one aliased `default`, else the
    /// one aliased `session`, else the first one the service lists.
    pub fn collection(&self) -> Result<Path<'static>, Failure> {
        let aliases = ["default", "session"]
            .into_iter()
            .map(|alias| Ok(service_call("ReadAlias")?.append1(alias)))
            .collect::<Result<Vec<_>, Failure>>()?;
        for reply in exchange(self.channel(), aliases)? {
            let path: Path<'static> = reply.read1()?;
            if &*path != NONE {
                return Ok(path);
            }
        }
        let listed = property_call(&Path::from(SERVICE_PATH), SERVICE_INTERFACE, "Collections")?;
        let Variant(all): Variant<Vec<Path<'static>>> = self.ask(listed)?.read1()?;
        all.into_iter().next().ok_or(Failure::NoCollection)
    }

    /// Whether the service has `collection` (reads its `Label`): an alias
    /// can name one that this daemon does not hold.
    pub fn collection_exists(&self, collection: &Path<'static>) -> Result<(), Failure> {
        self.ask(property_call(collection, COLLECTION_INTERFACE, "Label")?)?;
        Ok(())
    }

    /// Stores `value` in `collection` under `attributes`, replacing an item
    /// with the same attributes in one step.
    pub fn create_item(
        &self,
        collection: &Path<'static>,
        label: &str,
        attributes: &[(&str, &str)],
        value: &[u8],
    ) -> Result<(), Failure> {
        let attributes: HashMap<String, String> = attributes
            .iter()
            .map(|&(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut properties: HashMap<&str, Variant<Box<dyn RefArg>>> = HashMap::new();
        properties.insert(
            "org.freedesktop.Secret.Item.Label",
            Variant(Box::new(label.to_string())),
        );
        properties.insert(
            "org.freedesktop.Secret.Item.Attributes",
            Variant(Box::new(attributes)),
        );
        let secret = (&self.session, Vec::<u8>::new(), value, "text/plain");
        let call = object_call(collection, COLLECTION_INTERFACE, "CreateItem")?
            .append3(properties, secret, true);
        let reply = self.ask(call)?;
        let (_, prompt): (Path<'static>, Path<'static>) = reply.read2()?;
        self.prompt(&prompt)
    }

    /// Shows the prompt the service asked for (none when it is `/`) and
    /// waits until it completes, at most [`PROMPT_TIMEOUT`]. A prompt that
    /// is dismissed, or that a desktop-less session cannot show, leaves
    /// the object locked.
    fn prompt(&self, prompt: &Path<'static>) -> Result<(), Failure> {
        if &**prompt == NONE {
            return Ok(());
        }
        let rule = format!(
            "type='signal',interface='{PROMPT_INTERFACE}',member='Completed',path='{prompt}'"
        );
        let add_match = bus_call("AddMatch")?.append1(&rule);
        self.ask(add_match)?;
        let outcome = self.wait_for_prompt(prompt);
        // The rule goes whatever happened; a failure to remove it is moot,
        // as the connection ends with this process.
        if let Ok(remove) = bus_call("RemoveMatch") {
            let _ = self.ask(remove.append1(&rule));
        }
        outcome
    }

    fn wait_for_prompt(&self, prompt: &Path<'static>) -> Result<(), Failure> {
        let show = object_call(prompt, PROMPT_INTERFACE, "Prompt")?.append1("");
        let channel = self.channel();
        let serial = channel
            .send(show)
            .map_err(|()| dbus::Error::new_failed("the session bus did not take the call"))?;
        let deadline = Instant::now() + PROMPT_TIMEOUT;
        // The signal may come before the call's own reply: both are waited for.
        let (mut replied, mut completed) = (false, None);
        while !(replied && completed.is_some()) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::NotUnlocked);
            }
            let Some(mut message) = channel.blocking_pop_message(left)? else {
                continue;
            };
            match message.msg_type() {
                MessageType::MethodReturn | MessageType::Error
                    if message.get_reply_serial() == Some(serial) =>
                {
                    if message.as_result().is_err() {
                        return Err(Failure::NotUnlocked);
                    }
                    replied = true;
                }
                MessageType::Signal
                    if message.member().as_deref() == Some("Completed")
                        && message.path().as_ref() == Some(prompt) =>
                {
                    let dismissed: bool = message.read1()?;
                    completed = Some(dismissed);
                }
                _ => {}
            }
        }
        match completed {
            Some(false) => Ok(()),
            _ => Err(Failure::NotUnlocked),
        }
    }
}

/// A secret as the protocol sends it: session, parameters, value, content
/// type (plain: no parameters, the value as stored).
type SecretStruct = (Path<'static>, Vec<u8>, Vec<u8>, String);

fn method_call(
    destination: &str,
    path: &str,
    interface: &str,
    method: &str,
) -> Result<Message, dbus::Error> {
    Message::new_method_call(destination, path, interface, method)
        .map_err(|e| dbus::Error::new_failed(&e))
}

fn service_call(method: &str) -> Result<Message, dbus::Error> {
    method_call(DESTINATION, SERVICE_PATH, SERVICE_INTERFACE, method)
}

fn object_call(path: &Path, interface: &str, method: &str) -> Result<Message, dbus::Error> {
    method_call(DESTINATION, path, interface, method)
}

/// Whether the bus can start the Secret Service (a `.service` file names
/// it): what it answers to ListActivatableNames.
fn activatable(channel: &Channel) -> bool {
    let Ok(call) = bus_call("ListActivatableNames") else {
        return false;
    };
    exchange(channel, vec![call])
        .ok()
        .and_then(|mut replies| replies.pop())
        .and_then(|reply| reply.read1::<Vec<String>>().ok())
        .is_some_and(|names| names.iter().any(|n| n == DESTINATION))
}

/// Waits, at most `limit`, until someone owns the Secret Service's name
/// (NameHasOwner, which starts nothing).
fn wait_for_owner(channel: &Channel, limit: std::time::Duration) {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        let owned = bus_call("NameHasOwner")
            .map(|call| call.append1(DESTINATION))
            .ok()
            .and_then(|call| exchange(channel, vec![call]).ok())
            .and_then(|mut replies| replies.pop())
            .and_then(|reply| reply.read1::<bool>().ok());
        if owned != Some(false) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

fn bus_call(method: &str) -> Result<Message, dbus::Error> {
    method_call(
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        method,
    )
}

fn search_call(attributes: &[(&str, &str)]) -> Result<Message, dbus::Error> {
    let attributes: HashMap<&str, &str> = attributes.iter().copied().collect();
    Ok(service_call("SearchItems")?.append1(attributes))
}

fn property_call(path: &Path, interface: &str, name: &str) -> Result<Message, dbus::Error> {
    Ok(object_call(path, PROPERTIES_INTERFACE, "Get")?.append2(interface, name))
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
