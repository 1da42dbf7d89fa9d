"""Analytics API: the daily series of a creator or a post (that creator or staff)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors
from publishing.api import error_responses


class RangeIn(serializers.Serializer):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both optional: by default the last 30 days."""

    to = serializers.DateField(required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)  # a Python keyword, hence declared here
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("to") or selectors.period_range(1)[1]
        start = attrs.get("from") or end - dt.timedelta(days=selectors.DEFAULT_PERIOD - 1)
        if start > end:
            raise serializers.ValidationError({"from": "Must be on or before `to`."})
        if (end - start).days + 1 > selectors.MAX_API_RANGE_DAYS:
            raise serializers.ValidationError({"from": f"At most {selectors.MAX_API_RANGE_DAYS} days at a time."})
        return {"start": start, "end": end}


class CreatorDayOut(serializers.Serializer):
    date = serializers.DateField()
    views = serializers.IntegerField()
    unique_visitors = serializers.IntegerField()
    comments = serializers.IntegerField()
    subscribers_gained = serializers.IntegerField()
    subscribers_lost = serializers.IntegerField()
    emails_sent = serializers.IntegerField()
    clicks = serializers.IntegerField()


class PostDayOut(serializers.Serializer):
    date = serializers.DateField()
    views = serializers.IntegerField()
    unique_visitors = serializers.IntegerField()
    comments = serializers.IntegerField()
    emails_sent = serializers.IntegerField()
    clicks = serializers.IntegerField()


class CreatorTotalsOut(serializers.Serializer):
    views = serializers.IntegerField()
    unique_visitors = serializers.IntegerField()
    comments = serializers.IntegerField()
    subscribers_gained = serializers.IntegerField()
    subscribers_lost = serializers.IntegerField()
    emails_sent = serializers.IntegerField()
    clicks = serializers.IntegerField()


class PostTotalsOut(serializers.Serializer):
    views = serializers.IntegerField()
    unique_visitors = serializers.IntegerField()
    comments = serializers.IntegerField()
    emails_sent = serializers.IntegerField()
    clicks = serializers.IntegerField()


class CreatorAnalyticsOut(serializers.Serializer):
    creator_id = serializers.UUIDField()
    start = serializers.DateField(help_text="`from`, inclusive.")
    end = serializers.DateField(help_text="`to`, inclusive.")
    totals = CreatorTotalsOut()
    days = CreatorDayOut(many=True, help_text="One entry per day, oldest first; days without activity are zeros.")


class PostAnalyticsOut(serializers.Serializer):
    post_id = serializers.UUIDField()
    start = serializers.DateField(help_text="`from`, inclusive.")
    end = serializers.DateField(help_text="`to`, inclusive.")
    totals = PostTotalsOut()
    days = PostDayOut(many=True, help_text="One entry per day, oldest first; days without activity are zeros.")


RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 29 days before `to`)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today). At most 366 days in all."),
]


def _range(request: Request) -> dict[str, dt.date]:
    data = RangeIn(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data


class CreatorAnalyticsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=RANGE_PARAMETERS,
        responses={200: CreatorAnalyticsOut, **error_responses(400, 401, 403, 404)},
        tags=["analytics"],
    )
    def get(self, request: Request, creator_id: Any) -> Response:
        creator = selectors.get_creator_for_analytics_api(user=request.user, creator_id=creator_id)
        period = _range(request)
        summary = selectors.creator_summary(creator_id=creator.pk, **period, with_previous=False, top=0)
        out = {"creator_id": creator.pk, **period, "totals": summary.totals, "days": summary.days}
        return Response(CreatorAnalyticsOut(out).data)


class PostAnalyticsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=RANGE_PARAMETERS,
        responses={200: PostAnalyticsOut, **error_responses(400, 401, 403, 404)},
        tags=["analytics"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        post = selectors.get_post_for_analytics_api(user=request.user, pk=pk)
        period = _range(request)
        summary = selectors.post_summary(post=post, **period, top=0)
        out = {"post_id": post.pk, **period, "totals": summary.totals, "days": summary.days}
        return Response(PostAnalyticsOut(out).data)
