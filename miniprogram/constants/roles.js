/** User roles; the values equal the backend's. */

const ROLES = Object.freeze({
  REQUESTER: 'requester',
  EXPERT: 'expert',
  LOCAL_ADMIN: 'local_admin',
  PROVINCE_ADMIN: 'province_admin',
});

const ROLE_LABELS = Object.freeze({
  [ROLES.REQUESTER]: '需求方',
  [ROLES.EXPERT]: '专家',
  [ROLES.LOCAL_ADMIN]: '属地管理员',
  [ROLES.PROVINCE_ADMIN]: '省厅管理员',
});

/** The Chinese label of a role, or a neutral one for a role this build does not know yet. */
function roleLabel(role) {
  return ROLE_LABELS[role] || '未知身份';
}

module.exports = {
  ROLES,
  ROLE_LABELS,
  roleLabel,
};
