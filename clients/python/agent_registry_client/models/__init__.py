"""Contains all the data models used in inputs/outputs"""

from .agent_definition import AgentDefinition
from .artifact_detail import ArtifactDetail
from .artifact_detail_kind import ArtifactDetailKind
from .artifact_detail_tags import ArtifactDetailTags
from .artifact_page import ArtifactPage
from .artifact_policy import ArtifactPolicy
from .artifact_policy_compatibility import ArtifactPolicyCompatibility
from .artifact_policy_kind import ArtifactPolicyKind
from .artifact_policy_override_type_0 import ArtifactPolicyOverrideType0
from .artifact_policy_source import ArtifactPolicySource
from .artifact_summary import ArtifactSummary
from .artifact_summary_kind import ArtifactSummaryKind
from .audit_entry import AuditEntry
from .audit_entry_actor_claims_type_0 import AuditEntryActorClaimsType0
from .audit_entry_details import AuditEntryDetails
from .audit_page import AuditPage
from .batch_request import BatchRequest
from .batch_response import BatchResponse
from .batch_result import BatchResult
from .change_event import ChangeEvent
from .change_event_details import ChangeEventDetails
from .change_event_event import ChangeEventEvent
from .change_event_kind import ChangeEventKind
from .change_page import ChangePage
from .delivery import Delivery
from .delivery_event import DeliveryEvent
from .delivery_list import DeliveryList
from .delivery_status import DeliveryStatus
from .dependent import Dependent
from .dependent_kind import DependentKind
from .dependent_list import DependentList
from .deprecate_request import DeprecateRequest
from .diff_agent_versions_format import DiffAgentVersionsFormat
from .diff_grant import DiffGrant
from .diff_skill import DiffSkill
from .diff_skill_versions_format import DiffSkillVersionsFormat
from .field_change import FieldChange
from .field_change_change import FieldChangeChange
from .file_manifest import FileManifest
from .get_jwks_response_200 import GetJwksResponse200
from .get_jwks_response_200_keys_item import GetJwksResponse200KeysItem
from .get_profile_format_type_0 import GetProfileFormatType0
from .get_profile_signature_format_type_0 import GetProfileSignatureFormatType0
from .grant_changes import GrantChanges
from .health import Health
from .highlight import Highlight
from .highlight_field import HighlightField
from .mode_change import ModeChange
from .mode_change_from import ModeChangeFrom
from .mode_change_to import ModeChangeTo
from .moved_skill import MovedSkill
from .namespace_create import NamespaceCreate
from .namespace_info import NamespaceInfo
from .namespace_list import NamespaceList
from .namespace_policy import NamespacePolicy
from .namespace_policy_compatibility import NamespacePolicyCompatibility
from .namespace_policy_source import NamespacePolicySource
from .oidc_exchange import OidcExchange
from .oidc_token import OidcToken
from .policy_request import PolicyRequest
from .policy_request_compatibility import PolicyRequestCompatibility
from .problem import Problem
from .problem_item import ProblemItem
from .problem_item_severity import ProblemItemSeverity
from .profile import Profile
from .profile_frontmatter import ProfileFrontmatter
from .profile_lock import ProfileLock
from .profile_lock_additional_property import ProfileLockAdditionalProperty
from .profile_lock_additional_property_additional_property import ProfileLockAdditionalPropertyAdditionalProperty
from .profile_skill import ProfileSkill
from .profile_tools import ProfileTools
from .profile_tools_denied_item import ProfileToolsDeniedItem
from .profile_tools_ignored_item import ProfileToolsIgnoredItem
from .profile_tools_mode import ProfileToolsMode
from .profile_tools_ungranted_item import ProfileToolsUngrantedItem
from .provenance import Provenance
from .provenance_claims_type_0 import ProvenanceClaimsType0
from .provenance_method import ProvenanceMethod
from .publish_toolset_version_body import PublishToolsetVersionBody
from .publish_toolset_version_body_metadata import PublishToolsetVersionBodyMetadata
from .readiness import Readiness
from .search_kind_type_0_item import SearchKindType0Item
from .search_page import SearchPage
from .search_result import SearchResult
from .search_result_kind import SearchResultKind
from .search_sort_type_0 import SearchSortType0
from .skill_changes import SkillChanges
from .skill_file import SkillFile
from .tag_request import TagRequest
from .tagged import Tagged
from .tagged_kind import TaggedKind
from .token_create import TokenCreate
from .token_create_permissions_item import TokenCreatePermissionsItem
from .token_created import TokenCreated
from .token_info import TokenInfo
from .token_list import TokenList
from .tool_grant import ToolGrant
from .trust_policy_create import TrustPolicyCreate
from .trust_policy_create_claims import TrustPolicyCreateClaims
from .trust_policy_create_permissions_item import TrustPolicyCreatePermissionsItem
from .trust_policy_info import TrustPolicyInfo
from .trust_policy_info_claims import TrustPolicyInfoClaims
from .trust_policy_list import TrustPolicyList
from .validate_kind import ValidateKind
from .validation_report import ValidationReport
from .validation_report_frontmatter_type_0 import ValidationReportFrontmatterType0
from .validation_report_kind import ValidationReportKind
from .version_detail import VersionDetail
from .version_detail_frontmatter import VersionDetailFrontmatter
from .version_detail_kind import VersionDetailKind
from .version_detail_lock import VersionDetailLock
from .version_diff import VersionDiff
from .version_diff_kind import VersionDiffKind
from .version_summary import VersionSummary
from .webhook import Webhook
from .webhook_create import WebhookCreate
from .webhook_create_events_item import WebhookCreateEventsItem
from .webhook_created import WebhookCreated
from .webhook_created_events_item import WebhookCreatedEventsItem
from .webhook_events_item import WebhookEventsItem
from .webhook_list import WebhookList
from .yank_request import YankRequest

__all__ = (
    "AgentDefinition",
    "ArtifactDetail",
    "ArtifactDetailKind",
    "ArtifactDetailTags",
    "ArtifactPage",
    "ArtifactPolicy",
    "ArtifactPolicyCompatibility",
    "ArtifactPolicyKind",
    "ArtifactPolicyOverrideType0",
    "ArtifactPolicySource",
    "ArtifactSummary",
    "ArtifactSummaryKind",
    "AuditEntry",
    "AuditEntryActorClaimsType0",
    "AuditEntryDetails",
    "AuditPage",
    "BatchRequest",
    "BatchResponse",
    "BatchResult",
    "ChangeEvent",
    "ChangeEventDetails",
    "ChangeEventEvent",
    "ChangeEventKind",
    "ChangePage",
    "Delivery",
    "DeliveryEvent",
    "DeliveryList",
    "DeliveryStatus",
    "Dependent",
    "DependentKind",
    "DependentList",
    "DeprecateRequest",
    "DiffAgentVersionsFormat",
    "DiffGrant",
    "DiffSkill",
    "DiffSkillVersionsFormat",
    "FieldChange",
    "FieldChangeChange",
    "FileManifest",
    "GetJwksResponse200",
    "GetJwksResponse200KeysItem",
    "GetProfileFormatType0",
    "GetProfileSignatureFormatType0",
    "GrantChanges",
    "Health",
    "Highlight",
    "HighlightField",
    "ModeChange",
    "ModeChangeFrom",
    "ModeChangeTo",
    "MovedSkill",
    "NamespaceCreate",
    "NamespaceInfo",
    "NamespaceList",
    "NamespacePolicy",
    "NamespacePolicyCompatibility",
    "NamespacePolicySource",
    "OidcExchange",
    "OidcToken",
    "PolicyRequest",
    "PolicyRequestCompatibility",
    "Problem",
    "ProblemItem",
    "ProblemItemSeverity",
    "Profile",
    "ProfileFrontmatter",
    "ProfileLock",
    "ProfileLockAdditionalProperty",
    "ProfileLockAdditionalPropertyAdditionalProperty",
    "ProfileSkill",
    "ProfileTools",
    "ProfileToolsDeniedItem",
    "ProfileToolsIgnoredItem",
    "ProfileToolsMode",
    "ProfileToolsUngrantedItem",
    "Provenance",
    "ProvenanceClaimsType0",
    "ProvenanceMethod",
    "PublishToolsetVersionBody",
    "PublishToolsetVersionBodyMetadata",
    "Readiness",
    "SearchKindType0Item",
    "SearchPage",
    "SearchResult",
    "SearchResultKind",
    "SearchSortType0",
    "SkillChanges",
    "SkillFile",
    "Tagged",
    "TaggedKind",
    "TagRequest",
    "TokenCreate",
    "TokenCreated",
    "TokenCreatePermissionsItem",
    "TokenInfo",
    "TokenList",
    "ToolGrant",
    "TrustPolicyCreate",
    "TrustPolicyCreateClaims",
    "TrustPolicyCreatePermissionsItem",
    "TrustPolicyInfo",
    "TrustPolicyInfoClaims",
    "TrustPolicyList",
    "ValidateKind",
    "ValidationReport",
    "ValidationReportFrontmatterType0",
    "ValidationReportKind",
    "VersionDetail",
    "VersionDetailFrontmatter",
    "VersionDetailKind",
    "VersionDetailLock",
    "VersionDiff",
    "VersionDiffKind",
    "VersionSummary",
    "Webhook",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookCreatedEventsItem",
    "WebhookCreateEventsItem",
    "WebhookEventsItem",
    "WebhookList",
    "YankRequest",
)
