using System.Text.Json.Serialization;
using ContentApi.Api.Articles;
using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Api.Pledges;

namespace ContentApi.Api.Hosting;

/// <summary>
/// The REST answers' contracts, made by the compiler instead of by reflection at run time (the types they hold come
/// along). Metadata only: the serializer still applies <see cref="JsonSetup"/>'s options (names, enums, timestamps,
/// nullability, the body blocks' modifier), so the wire format is the same; types not listed are read by reflection.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ArticleDto))]
[JsonSerializable(typeof(PagedList<ArticleSummaryDto>))]
[JsonSerializable(typeof(PledgeDto))]
[JsonSerializable(typeof(List<PledgeYearDto>))]
[JsonSerializable(typeof(PhotoDto))]
[JsonSerializable(typeof(ContactDto))]
internal sealed partial class WireJson : JsonSerializerContext;
