// 分级设立管理员账号: an admin sees and acts only inside its own subtree (SPEC §1).
export interface Principal {
  accountId: string;
  role: string;
  displayName: string;
  cityId: number | null;
  countyId: number | null;
  schoolId: number | null;
}

export interface Placement {
  cityId: number;
  countyId: number;
  schoolId: number;
}

export const ADMIN_ROLES = ['school_admin', 'county_admin', 'city_admin', 'province_admin'] as const;

/** Whether the principal's administrative subtree contains the placement. */
export function inScope(p: Principal, place: Placement): boolean {
  switch (p.role) {
    case 'province_admin':
    case 'auditor':
      return true;
    case 'city_admin':
      return p.cityId === place.cityId;
    case 'county_admin':
      return p.countyId === place.countyId;
    case 'school_admin':
      return p.schoolId === place.schoolId;
    default:
      return false;
  }
}

/** The SQL filter an admin's lists are confined to; undefined means province-wide. */
export function scopeFilter(p: Principal): { column: 'city_id' | 'county_id' | 'school_id'; id: number } | undefined {
  if (p.role === 'city_admin' && p.cityId != null) return { column: 'city_id', id: p.cityId };
  if (p.role === 'county_admin' && p.countyId != null) return { column: 'county_id', id: p.countyId };
  if (p.role === 'school_admin' && p.schoolId != null) return { column: 'school_id', id: p.schoolId };
  return undefined;
}
