// East Java's part of Natural Earth 1:10m land (npm world-atlas 2.0.2): the polygons that touch
// lon 110.5–116.6, lat -9.2 – -6.4, written as land_box.json for land_clip.sql to clip exactly.
// Run in a folder with `npm install world-atlas@2.0.2 topojson-client@3.1.0`.
const t=require('topojson-client');const fs=require('fs');
const topo=JSON.parse(fs.readFileSync('node_modules/world-atlas/land-10m.json'));
const fc=t.feature(topo,topo.objects.land);
const g=fc.type==='FeatureCollection'?fc.features[0].geometry:fc.geometry;
// keep only polygons touching the box, to keep the SQL input small
const inb=(r)=>r.some(([x,y])=>x>=110.5&&x<=116.6&&y>=-9.2&&y<=-6.4);
const polys=(g.type==='MultiPolygon'?g.coordinates:[g.coordinates]).filter(p=>inb(p[0]));
fs.writeFileSync('land_box.json',JSON.stringify({type:'MultiPolygon',coordinates:polys}));
console.log(polys.length, polys.map(p=>p[0].length));
