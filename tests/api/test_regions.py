async def test_the_region_picker_starts_with_the_34_provinces(client):
    _, response = await client.get("/api/v1/regions")
    assert response.status == 200
    assert len(response.json["items"]) == 34


async def test_a_county_lists_its_townships_with_map_points(client):
    _, response = await client.get("/api/v1/regions", params={"parent": "230184"})
    townships = response.json["items"]
    assert townships
    assert all(item["level"] == "township" and item["latitude"] for item in townships)


async def test_a_village_comes_with_its_full_path(client):
    _, county = await client.get("/api/v1/regions", params={"parent": "230184"})
    township = county.json["items"][0]["code"]
    _, villages = await client.get("/api/v1/regions", params={"parent": township})
    village = villages.json["items"][0]
    _, response = await client.get(f"/api/v1/regions/{village['code']}")
    assert response.json["path"][:3] == ["黑龙江省", "哈尔滨市", "五常市"]
    assert response.json["path"][-1] == village["name"]


async def test_a_malformed_region_code_is_a_422_and_an_unknown_one_a_404(client):
    _, bad = await client.get("/api/v1/regions/12ab")
    assert bad.status == 422
    _, unknown = await client.get("/api/v1/regions/990000")
    assert unknown.status == 404
