import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { Routes } from '../route';

export function regionRoutes(routes: Routes, deps: ApiDeps): void {
  const conn = () => deps.orm.em.fork().getConnection();

  routes.add({ method: 'get', path: '/api/regions/cities', summary: 'The 17 cities/prefectures (市州)', tags: ['regions'], access: 'public' }, async () => ({
    items: await conn().execute(`select id, code, name from city order by sort_order`),
  }));

  routes.add(
    { method: 'get', path: '/api/regions/counties', summary: 'Counties/districts (县市区) of a city', tags: ['regions'], access: 'public', query: z.object({ cityId: z.coerce.number().int().positive() }) },
    async ({ query }) => ({ items: await conn().execute(`select id, code, name, city_id as "cityId" from county where city_id = ? order by code`, [query.cityId]) }),
  );

  routes.add(
    { method: 'get', path: '/api/regions/schools', summary: 'Schools of a county, with their stages', tags: ['regions'], access: 'public', query: z.object({ countyId: z.coerce.number().int().positive() }) },
    async ({ query }) => ({
      items: await conn().execute(`select id, code, name, county_id as "countyId", city_id as "cityId", stages from school where county_id = ? order by code`, [query.countyId]),
    }),
  );
}
