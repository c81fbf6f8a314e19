//! `proto_enum!`: Rust enums for protobuf enums in Mesos' JSON form.
//!
//! Mesos writes enums as their value *name* (`"TASK_RUNNING"`). Names are listed
//! explicitly rather than derived by a case conversion, because several proto names
//! (`IPv4`, `HTTP`) do not survive one. A name this crate does not know decodes to
//! `Unrecognized` instead of failing the whole event, so a newer master cannot
//! break the stream; `Unrecognized` itself refuses to encode, so dromos never sends
//! a name the master does not know.

/// Defines a `Copy` enum with an `Unrecognized` fallback and string serde.
macro_rules! proto_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A name this version of the crate does not know; decoding keeps going,
            /// encoding it is an error.
            Unrecognized,
        }

        impl $name {
            /// The proto value name, as written on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unrecognized => "UNRECOGNIZED",
                }
            }

            /// Parses a proto value name; unknown names give `Unrecognized`.
            pub fn from_wire(name: &str) -> Self {
                match name {
                    $( $wire => Self::$variant, )+
                    _ => Self::Unrecognized,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    Self::Unrecognized => Err(<S::Error as ::serde::ser::Error>::custom(
                        concat!("cannot encode an unrecognized ", stringify!($name)),
                    )),
                    other => serializer.serialize_str(other.as_str()),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_wire(&name))
            }
        }
    };
}

pub(crate) use proto_enum;
