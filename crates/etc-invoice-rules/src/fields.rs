//! The person-entered fields, read into the order model's checked types.

use etc_invoice_order::{
    BankAccount, Email, OrganisationCodeError, PersonalDataError, PhoneNumber, TaxpayerId,
    TaxpayerIdError,
};

/// A taxpayer id, and the result of the embedded organisation-code check
/// when it is a unified social credit code (`Ok(())` for a legacy id).
pub(crate) fn taxpayer_id(
    s: &str,
) -> Result<(TaxpayerId, Result<(), OrganisationCodeError>), TaxpayerIdError> {
    let id = TaxpayerId::parse(s)?;
    let inner = id.as_uscc().map_or(Ok(()), |u| u.organisation_code_check());
    Ok((id, inner))
}

/// A title's phone: a mobile or a landline with its area code.
pub(crate) fn title_phone(s: &str) -> Result<PhoneNumber, PersonalDataError> {
    PhoneNumber::parse(s)
}

/// A phone to notify by text message: a mobile number.
pub(crate) fn mobile_phone(s: &str) -> Result<PhoneNumber, PhoneProblem> {
    let p = PhoneNumber::parse(s).map_err(PhoneProblem::Invalid)?;
    if p.is_mobile() {
        Ok(p)
    } else {
        Err(PhoneProblem::NotMobile)
    }
}

/// Why a notification phone is refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PhoneProblem {
    /// Not a phone number.
    #[error(transparent)]
    Invalid(PersonalDataError),
    /// A landline, which cannot receive a text message.
    #[error("the phone number is a landline; a notification needs a mobile number")]
    NotMobile,
}

/// A receiving email address.
pub(crate) fn email(s: &str) -> Result<Email, PersonalDataError> {
    Email::parse(s)
}

/// A bank account number.
pub(crate) fn bank_account(s: &str) -> Result<BankAccount, PersonalDataError> {
    BankAccount::parse(s)
}
