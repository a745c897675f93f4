/**
 * The role that suspends a user's access to this application (set on their registration). Deleting
 * or deactivating a FusionAuth user is not always possible or wanted; a role is, and it is reversible.
 */
export const DEACTIVATED_ROLE = 'deactivated';
