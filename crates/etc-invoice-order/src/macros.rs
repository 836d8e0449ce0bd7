//! A macro for the small code tables of the domain (road kinds, colours …).

/// Declares a closed enum whose values have a stable wire name, a Chinese
/// label and extra accepted spellings. It gets `as_str`, `label`, `ALL`,
/// `Display` (the wire name), `FromStr` / `TryFrom<&str>` (wire name, label
/// or alias, case-insensitive for ASCII) and serde as the wire name.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident / $err:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, $label:literal $(, $alias:literal)* ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        #[doc = concat!("A text that is not a known ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("unknown {} `{input}` (expected one of: {})", $what, $name::expected())]
        $vis struct $err {
            input: String,
        }

        impl $err {
            /// The offending text (cut to 64 characters).
            #[inline]
            pub fn input(&self) -> &str {
                &self.input
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable wire name used in files and JSON.
            #[inline]
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }

            /// The Chinese label.
            #[inline]
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            fn expected() -> String {
                [$($wire),*].join(", ")
            }

            /// Reads a wire name, Chinese label or accepted alias.
            ///
            /// # Errors
            #[doc = concat!("[`", stringify!($err), "`] for anything else.")]
            pub fn parse(s: &str) -> Result<$name, $err> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($wire) || t == $label $(|| t.eq_ignore_ascii_case($alias))* {
                        return Ok($name::$variant);
                    }
                )*
                Err($err { input: s.chars().take(64).collect() })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $name::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use code_enum;

/// Implements the text conversions of a checked identifier from its
/// `parse(&str) -> Result<Self, Error>` and `as_str()`: `Display` (padded
/// text), `Debug` (`Type(text)`), `FromStr`, `TryFrom<&str>`,
/// `TryFrom<String>`, `AsRef<str>` and `From<T> for String`.
macro_rules! text_conversions {
    ($t:ident, $err:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($t), "({})"), self.as_str())
            }
        }

        impl std::str::FromStr for $t {
            type Err = $err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $t::parse(s)
            }
        }

        impl TryFrom<&str> for $t {
            type Error = $err;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $t::parse(s)
            }
        }

        impl TryFrom<String> for $t {
            type Error = $err;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $t::parse(&s)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.as_str().to_owned()
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

pub(crate) use text_conversions;
